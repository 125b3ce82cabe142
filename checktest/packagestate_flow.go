package checktest

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// program holds what NoPackageState reads across the packages it
// checks: the bodies of their methods, whether each method can change
// what its receiver reaches, and the types of the values that their
// package-level variables of interface type are given.
type program struct {
	methods  map[string]methodDecl       // by the FullName of the method's origin
	changes  map[string]int8             // changesReceiver's answers, or inProgress
	dynamic  map[*types.Var][]types.Type // the types of the values assigned to a variable of interface type
	declared map[*types.Var]bool         // variables of interface type declared in the packages
	unknown  map[*types.Var]bool         // ... and those given a value whose type is not seen
	funcs    map[string]methodDecl       // the functions and methods, by funcKey
	initOnly map[types.Object]bool       // the functions that only initialization runs (initOnlyFuncs)
	// initMade holds the other functions that run while a package
	// initializes, called by code that runs then (var next =
	// NewCounter()), by funcKey, with the first such call.
	initMade map[string]token.Pos
	// initLits holds the function literals that code run while a
	// package initializes calls through a func value, with the call.
	initLits map[*ast.FuncLit]token.Pos
	// unfollowed holds the calls made then through a func value or an
	// interface whose functions the code does not show.
	unfollowed []unfollowedCall
	// funcValues holds the functions given to package-level variables
	// of func type, and unknownFunc those given others too.
	funcValues  map[*types.Var][]callee
	unknownFunc map[*types.Var]bool
	types       []types.Type // the named types of the packages, and pointers to them
	// genericMethods holds the names of the methods of the packages'
	// generic types, which implementations does not follow.
	genericMethods map[string]bool
	// onceValue holds the package-level variables given what
	// sync.OnceValue or OnceValues made.
	onceValue map[*types.Var]bool
	// returns holds returned's answers, by funcKey (nil while one is
	// read: a function that returns its own result adds nothing).
	returns map[string][][]*types.Var
	// params holds changesParam's answers, by funcKey and index.
	params map[paramKey]int8
	// called holds onlyCalled's answers, and calledParams the
	// parameters it found only called.
	called       map[paramKey]bool
	calledParams map[*types.Var]bool
}

// paramKey names parameter i of a function, by funcKey.
type paramKey struct {
	fn string
	i  int
}

// methodDecl is a method declared in the packages checked.
type methodDecl struct {
	decl *ast.FuncDecl
	info *types.Info
}

// The answers of changesReceiver kept in program.changes.
const (
	inProgress int8 = iota + 1 // being read: a method that calls itself
	keeps                      // leaves what its receiver reaches as it was
	changes                    // may change it
)

// newProgram reads pkgs for their methods and for the values that their
// package-level variables of interface type are given.
func newProgram(pkgs []*packages.Package) *program {
	p := &program{
		methods:        map[string]methodDecl{},
		changes:        map[string]int8{},
		dynamic:        map[*types.Var][]types.Type{},
		declared:       map[*types.Var]bool{},
		unknown:        map[*types.Var]bool{},
		funcs:          map[string]methodDecl{},
		initOnly:       map[types.Object]bool{},
		initMade:       map[string]token.Pos{},
		initLits:       map[*ast.FuncLit]token.Pos{},
		funcValues:     map[*types.Var][]callee{},
		unknownFunc:    map[*types.Var]bool{},
		genericMethods: map[string]bool{},
		onceValue:      map[*types.Var]bool{},
		returns:        map[string][][]*types.Var{},
		params:         map[paramKey]int8{},
		called:         map[paramKey]bool{},
		calledParams:   map[*types.Var]bool{},
	}
	for _, pkg := range pkgs {
		for obj := range initOnlyFuncs(pkg.Syntax, pkg.TypesInfo) {
			p.initOnly[obj] = true
		}
		for _, f := range pkg.Syntax {
			for _, decl := range f.Decls {
				d, ok := decl.(*ast.FuncDecl)
				if !ok || d.Body == nil {
					continue
				}
				if fn, ok := pkg.TypesInfo.Defs[d.Name].(*types.Func); ok {
					p.funcs[fn.FullName()] = methodDecl{decl: d, info: pkg.TypesInfo}
					if d.Recv != nil {
						p.methods[fn.FullName()] = methodDecl{decl: d, info: pkg.TypesInfo}
					}
				}
			}
			p.readDynamic(f, pkg.TypesInfo)
			p.readFuncValues(f, pkg.TypesInfo)
		}
		for _, name := range pkg.Types.Scope().Names() {
			tn, ok := pkg.Types.Scope().Lookup(name).(*types.TypeName)
			if !ok || tn.IsAlias() {
				continue
			}
			n, ok := tn.Type().(*types.Named)
			switch {
			case !ok || types.IsInterface(n):
			case n.TypeParams().Len() == 0:
				p.types = append(p.types, n, types.NewPointer(n))
			default:
				for m := range n.Methods() {
					p.genericMethods[m.Name()] = true
				}
			}
		}
	}
	p.readInitCalls(pkgs)
	return p
}

// readInitCalls records in p.initMade the functions and methods of the
// packages, but those that only initialization runs, that code run
// while a package initializes calls (a package-level initializer, a
// function only initialization runs, outside the function literals that
// run later), directly or through one another, and in p.initLits the
// function literals it calls through a func value. A call through a
// func value or an interface is followed to each function it may call
// where the code shows them all (initCallees); where it does not, the
// call is kept in p.unfollowed, to be named.
func (p *program) readInitCalls(pkgs []*packages.Package) {
	type body struct {
		node ast.Node
		info *types.Info
		pkg  *packages.Package
		fn   string // how to name its code
	}
	var queue []body
	for _, pkg := range pkgs {
		for _, f := range pkg.Syntax {
			for _, decl := range f.Decls {
				d, ok := decl.(*ast.FuncDecl)
				if ok && !p.initOnly[pkg.TypesInfo.Defs[d.Name]] {
					continue
				}
				fn := "a package-level initializer"
				if ok {
					fn = funcName(d)
				}
				queue = append(queue, body{decl, pkg.TypesInfo, pkg, fn})
			}
		}
	}
	follow := func(b body, call *ast.CallExpr, fn *types.Func, lit *ast.FuncLit, info *types.Info) {
		if lit != nil {
			if _, seen := p.initLits[lit]; !seen {
				p.initLits[lit] = call.Pos()
				queue = append(queue, body{lit, info, b.pkg, "a function literal"})
			}
			return
		}
		key := funcKey(fn)
		md, ok := p.funcs[key]
		if _, seen := p.initMade[key]; !ok || seen || p.initOnly[md.info.Defs[md.decl.Name]] {
			return
		}
		p.initMade[key] = call.Pos()
		queue = append(queue, body{md.decl.Body, md.info, b.pkg, funcName(md.decl)})
	}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		now := map[*ast.FuncLit]bool{}
		if lit, ok := b.node.(*ast.FuncLit); ok {
			now[lit] = true
		}
		ast.Inspect(b.node, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return now[n]
			case *ast.CallExpr:
				fun := ast.Unparen(n.Fun)
				if lit, ok := fun.(*ast.FuncLit); ok {
					now[lit] = true
					return true
				}
				if tv, ok := b.info.Types[fun]; ok && tv.IsType() {
					return true // a conversion
				}
				if id, ok := fun.(*ast.Ident); ok {
					if _, ok := b.info.Uses[id].(*types.Builtin); ok {
						return true
					}
				}
				if fn := staticCallee(b.info, n); fn != nil {
					follow(b, n, fn, nil, nil)
					// What the callee only calls runs now: a function
					// literal is read here, as one called at once;
					// another func value, as the callee's call of it.
					for i, a := range n.Args {
						if !p.onlyCalled(fn, i) {
							continue
						}
						a = ast.Unparen(a)
						if lit, ok := a.(*ast.FuncLit); ok {
							now[lit] = true
							continue
						}
						if isUntypedNil(b.info.TypeOf(a)) {
							continue
						}
						callees, known := p.funcArgCallees(b.info, a)
						if !known {
							p.unfollowed = append(p.unfollowed, unfollowedCall{at: a, call: n, pkg: b.pkg, fn: b.fn})
						}
						for _, c := range callees {
							follow(b, n, c.fn, c.lit, c.info)
						}
					}
					return true
				}
				if id, ok := fun.(*ast.Ident); ok {
					if v, ok := b.info.Uses[id].(*types.Var); ok && p.calledParams[v] {
						return true // what each call gives it, followed there
					}
				}
				callees, known := p.initCallees(b.info, n)
				if !known {
					p.unfollowed = append(p.unfollowed, unfollowedCall{call: n, pkg: b.pkg, fn: b.fn})
					return true
				}
				for _, c := range callees {
					follow(b, n, c.fn, c.lit, c.info)
				}
				// The funcs given to a function that is not named may be
				// called now: followed (a function literal as one that a
				// func value calls), or named.
				for _, a := range n.Args {
					if _, ok := under(b.info.TypeOf(a)).(*types.Signature); !ok {
						continue
					}
					a = ast.Unparen(a)
					if lit, ok := a.(*ast.FuncLit); ok {
						follow(b, n, nil, lit, b.info)
						continue
					}
					given, known := p.funcArgCallees(b.info, a)
					if !known {
						p.unfollowed = append(p.unfollowed, unfollowedCall{at: a, call: n, pkg: b.pkg, fn: b.fn})
					}
					for _, c := range given {
						follow(b, n, c.fn, c.lit, c.info)
					}
				}
			}
			return true
		})
	}
}

// unfollowedCall is a call, made while a package initializes, through a
// func value or an interface whose functions the code does not show.
type unfollowedCall struct {
	// at, when set, is a func value given to call, of a function of
	// the packages that only calls it, whose functions the code does
	// not show.
	at   ast.Expr
	call *ast.CallExpr
	pkg  *packages.Package
	fn   string // the code it is in, as packageWrite.fn names it
}

// callee is a function that a call may call: one of the packages (fn)
// or a function literal (lit, of info).
type callee struct {
	fn   *types.Func
	lit  *ast.FuncLit
	info *types.Info
}

// initCallees returns the functions of the packages checked that call,
// through a func value or an interface, may call, and whether those are
// all it may call of their code: for a method of an interface, the
// methods of the types of the packages that implement it (of those a
// package-level variable is given, where dynamicTypes sees them all);
// for a package-level variable of func type, not exported, whose
// address is not taken, the functions and function literals it is
// given (what sync.OnceFunc, OnceValue or OnceValues made of one calls
// that one), and all where each is one. Any other func value (a
// parameter, a local, a field, an element, what a call returns) is not
// followed.
func (p *program) initCallees(info *types.Info, call *ast.CallExpr) ([]callee, bool) {
	fun := ast.Unparen(call.Fun)
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s, ok := info.Selections[sel]; ok && s.Kind() == types.MethodVal {
			m := s.Obj().(*types.Func)
			if !types.IsInterface(m.Signature().Recv().Type()) {
				return nil, false // a method value's call: no callee named
			}
			return p.implementations(info, sel.X, m)
		}
	}
	v := directVar(info, fun)
	if v == nil || v.Exported() || p.unknownFunc[v] || v.Pkg() == nil {
		return nil, false
	}
	given, ok := p.funcValues[v]
	return given, ok
}

// funcArgCallees returns the functions of the packages that the func
// value e, given to a function, may be, and whether those are all: a
// function named, or a package-level variable as initCallees reads it.
func (p *program) funcArgCallees(info *types.Info, e ast.Expr) ([]callee, bool) {
	var id *ast.Ident
	switch x := e.(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		if s, ok := info.Selections[x]; ok && s.Kind() != types.MethodExpr {
			return nil, false // a method value
		}
		id = x.Sel
	}
	if id == nil {
		return nil, false
	}
	if fn, ok := info.Uses[id].(*types.Func); ok {
		return []callee{{fn: fn}}, true
	}
	v := directVar(info, e)
	if v == nil || v.Exported() || p.unknownFunc[v] {
		return nil, false
	}
	given, ok := p.funcValues[v]
	return given, ok
}

// onlyCalled reports whether parameter i of fn, a function or method of
// the packages checked, of func type, is only called in its body (not
// in a function literal there, nor by a go statement): what it is given
// runs during fn's call, and outlives it in no closure that fn keeps.
// Such parameters are kept in p.calledParams.
func (p *program) onlyCalled(fn *types.Func, i int) bool {
	key := paramKey{funcKey(fn), i}
	if ok, seen := p.called[key]; seen {
		return ok
	}
	p.called[key] = false
	md, ok := p.funcs[key.fn]
	sig := fn.Origin().Signature()
	if !ok || i >= sig.Params().Len() || sig.Variadic() && i == sig.Params().Len()-1 {
		return false
	}
	if _, ok := under(sig.Params().At(i).Type()).(*types.Signature); !ok {
		return false
	}
	var param *types.Var
	j := i
	for _, f := range md.decl.Type.Params.List {
		if j < len(f.Names) {
			param, _ = md.info.Defs[f.Names[j]].(*types.Var)
			break
		}
		j -= max(len(f.Names), 1)
	}
	if param == nil {
		return false
	}
	only := true
	var stack []ast.Node
	ast.Inspect(md.decl.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if id, ok := n.(*ast.Ident); ok && md.info.Uses[id] == param {
			call, ok := stack[len(stack)-1].(*ast.CallExpr)
			if !ok || ast.Unparen(call.Fun) != id {
				only = false
			}
			for _, up := range stack {
				switch up.(type) {
				case *ast.FuncLit, *ast.GoStmt:
					only = false
				}
			}
		}
		stack = append(stack, n)
		return only
	})
	p.called[key] = only
	if only {
		p.calledParams[param] = true
	}
	return only
}

// implementations returns the methods of the packages that a call of m,
// a method of an interface, on x may run: those of the types x is given,
// where x is a package-level variable whose values' types are all seen,
// else those of every type of the packages that implements the
// interface; and whether those are all, which they are not where a
// generic type of the packages, whose instances are not followed, has a
// method of that name.
func (p *program) implementations(info *types.Info, x ast.Expr, m *types.Func) ([]callee, bool) {
	var ts []types.Type
	all := false
	if v := directVar(info, x); v != nil {
		ts, all = p.dynamicTypes(v)
	}
	if !all {
		ts, all = nil, !p.genericMethods[m.Name()]
		iface, _ := under(m.Signature().Recv().Type()).(*types.Interface)
		for _, t := range p.types {
			if iface != nil && types.Implements(t, iface) {
				ts = append(ts, t)
			}
		}
	}
	var out []callee
	for _, t := range ts {
		obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
		if fn, ok := obj.(*types.Func); ok {
			out = append(out, callee{fn: fn})
		}
	}
	return out, all
}

// readFuncValues records, in p.funcValues, the functions and function
// literals that the code of f gives package-level variables of func
// type, and in p.unknownFunc those given any other value (a func value
// of another kind, a call's result but sync.OnceFunc's, OnceValue's or
// OnceValues's), or whose address is taken.
func (p *program) readFuncValues(f *ast.File, info *types.Info) {
	assign := func(lhs, rhs ast.Expr) {
		v := directVar(info, lhs)
		if v == nil {
			return
		}
		if _, ok := under(v.Type()).(*types.Signature); !ok {
			return
		}
		if rhs == nil {
			p.unknownFunc[v] = true
			return
		}
		rhs = ast.Unparen(rhs)
		if call, ok := rhs.(*ast.CallExpr); ok && len(call.Args) == 1 {
			if fn := staticCallee(info, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync" && strings.HasPrefix(fn.Name(), "Once") {
				rhs = ast.Unparen(call.Args[0])
				if fn.Name() != "OnceFunc" {
					p.onceValue[v] = true
				}
			}
		}
		switch x := rhs.(type) {
		case *ast.FuncLit:
			p.funcValues[v] = append(p.funcValues[v], callee{lit: x, info: info})
			return
		case *ast.Ident, *ast.SelectorExpr:
			if isUntypedNil(info.TypeOf(x)) {
				return
			}
			var id *ast.Ident
			if sel, ok := x.(*ast.SelectorExpr); ok {
				if s, ok := info.Selections[sel]; ok && s.Kind() != types.MethodExpr {
					break // a method value
				}
				id = sel.Sel
			} else {
				id = x.(*ast.Ident)
			}
			if fn, ok := info.Uses[id].(*types.Func); ok {
				p.funcValues[v] = append(p.funcValues[v], callee{fn: fn})
				return
			}
		}
		p.unknownFunc[v] = true
	}
	eachAssignment(f, assign)
}

// eachAssignment calls assign for every place in f (a file, a
// declaration) that gives a variable a value: a declaration with values,
// an assignment, a range loop's key and value, an address taken (&x);
// rhs is the one expression assigned, or nil where there is none of its
// own (one of several results, a range, an address taken).
func eachAssignment(f ast.Node, assign func(lhs, rhs ast.Expr)) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				switch {
				case len(n.Values) == len(n.Names):
					assign(name, n.Values[i])
				case len(n.Values) > 0:
					assign(name, nil)
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if len(n.Lhs) == len(n.Rhs) {
					assign(lhs, n.Rhs[i])
				} else {
					assign(lhs, nil)
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if e != nil {
					assign(e, nil)
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				assign(n.X, nil)
			}
		}
		return true
	})
}

// staticCallee returns the function or method that call calls, where
// the call names it (not a func value, nor a method of an interface), or
// nil.
func staticCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	fun := ast.Unparen(call.Fun)
	switch x := fun.(type) {
	case *ast.IndexExpr:
		fun = x.X
	case *ast.IndexListExpr:
		fun = x.X
	}
	var id *ast.Ident
	switch x := ast.Unparen(fun).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[x]; ok && sel.Kind() != types.MethodVal {
			return nil
		}
		id = x.Sel
	default:
		return nil
	}
	fn, ok := info.Uses[id].(*types.Func)
	if !ok {
		return nil
	}
	if recv := fn.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
		return nil
	}
	return fn
}

// funcKey names function or method obj across the packages' type
// checks, as program.funcs keys it; "" for another object.
func funcKey(obj types.Object) string {
	fn, ok := obj.(*types.Func)
	if !ok {
		return ""
	}
	return fn.Origin().FullName()
}

// varKey names package-level variable v across the packages' type
// checks.
func varKey(v *types.Var) string {
	return v.Pkg().Path() + "." + v.Name()
}

// unconverted returns the value that e converts to a type
// (binary.ByteOrder(binary.BigEndian) converts binary.BigEndian), or e.
func unconverted(info *types.Info, e ast.Expr) ast.Expr {
	for {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return e
		}
		if tv, ok := info.Types[ast.Unparen(call.Fun)]; !ok || !tv.IsType() {
			return e
		}
		e = call.Args[0]
	}
}

// readDynamic records the values that the code of f gives package-level
// variables of interface type: the type of each value it assigns, or
// that some value's type is not seen (a value of interface type, one of
// several results, a range loop, the variable's address taken); a value
// converted to the interface is the value it converts.
func (p *program) readDynamic(f *ast.File, info *types.Info) {
	assign := func(lhs, rhs ast.Expr) {
		v := directVar(info, lhs)
		if v == nil || !types.IsInterface(v.Type()) {
			return
		}
		if rhs == nil {
			p.unknown[v] = true
			return
		}
		rhs = unconverted(info, rhs)
		t := info.TypeOf(rhs)
		switch {
		case t == nil || types.IsInterface(t):
			p.unknown[v] = true
		case isUntypedNil(t):
		default:
			p.dynamic[v] = append(p.dynamic[v], t)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if n, ok := n.(*ast.ValueSpec); ok {
			for _, name := range n.Names {
				if v := directVar(info, name); v != nil && types.IsInterface(v.Type()) {
					p.declared[v] = true
				}
			}
		}
		return true
	})
	eachAssignment(f, assign)
}

// dynamicTypes returns the types of the values that package-level
// variable v of interface type may hold, and whether they are all seen:
// v is declared in the packages checked, is not exported (code outside
// them may give it a value), and every value given it has a type that
// is not an interface.
func (p *program) dynamicTypes(v *types.Var) ([]types.Type, bool) {
	if !p.declared[v] || p.unknown[v] || v.Exported() {
		return nil, false
	}
	return p.dynamic[v], true
}

// changesReceiver reports whether method m, declared in the packages
// checked, may change what its receiver reaches: read from its body,
// and from those of the methods it calls on it. A method that calls
// itself, directly or through others, is taken to change it.
func (p *program) changesReceiver(m *types.Func) bool {
	key := m.Origin().FullName()
	switch p.changes[key] {
	case inProgress, changes:
		return true
	case keeps:
		return false
	}
	md, ok := p.methods[key]
	if !ok {
		return true
	}
	p.changes[key] = inProgress
	answer := keeps
	if md.changesReceiver(p) {
		answer = changes
	}
	p.changes[key] = answer
	return answer == changes
}

// returned returns, for each result of fn, the package-level variables
// whose memory it may share, when fn is a function or method of the
// packages checked: read from its return statements (a bare one returns
// its named results), as NoPackageState reads a function's locals, what
// the functions it calls return followed in turn.
func (p *program) returned(fn *types.Func) [][]*types.Var {
	key := funcKey(fn)
	if rs, ok := p.returns[key]; ok {
		return rs
	}
	md, ok := p.funcs[key]
	if !ok {
		return nil
	}
	p.returns[key] = nil
	sig := fn.Origin().Signature()
	rs := make([][]*types.Var, sig.Results().Len())
	s := &scanner{prog: p, info: md.info, alias: map[*types.Var]*types.Var{}}
	s.aliases(md.decl)
	add := func(i int, r *types.Var, more []*types.Var) {
		if r == nil || !sharesMemory(sig.Results().At(i).Type()) {
			return
		}
		for _, v := range append([]*types.Var{r}, more...) {
			if !slices.Contains(rs[i], v) {
				rs[i] = append(rs[i], v)
			}
		}
	}
	ast.Inspect(md.decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			switch {
			case len(n.Results) == len(rs):
				for i, e := range n.Results {
					r := s.flows(e)
					add(i, r, s.extra)
				}
			case len(n.Results) == 1:
				if call, ok := ast.Unparen(n.Results[0]).(*ast.CallExpr); ok {
					for i := range rs {
						if roots, _ := s.results(call, i); len(roots) > 0 {
							add(i, roots[0], roots[1:])
						}
					}
				}
			case len(n.Results) == 0 && sig.Results().Len() > 0:
				for i := range rs {
					r := sig.Results().At(i)
					if v, ok := md.info.Defs[namedResult(md.decl, i)].(*types.Var); ok && r.Name() != "" {
						add(i, s.alias[v], s.more[v])
					}
				}
			}
		}
		return true
	})
	p.returns[key] = rs
	return rs
}

// namedResult returns the name of result i of d, or nil.
func namedResult(d *ast.FuncDecl, i int) *ast.Ident {
	if d.Type.Results == nil {
		return nil
	}
	for _, f := range d.Type.Results.List {
		if i < len(f.Names) {
			return f.Names[i]
		}
		i -= max(len(f.Names), 1)
	}
	return nil
}

// changesParam reports whether fn, a function or method of the packages
// checked, may change what its parameter i reaches (the last for the
// arguments past it of a variadic one), as changesReceiver reads a
// receiver, but that the parameter passed to a function of another
// package or returned is no change, as NoPackageState does not see a
// variable passed or returned so; false for another function, whose
// code is not read. One that calls itself, directly or not, is taken to
// change it.
func (p *program) changesParam(fn *types.Func, i int) bool {
	key := paramKey{funcKey(fn), i}
	switch p.params[key] {
	case inProgress, changes:
		return true
	case keeps:
		return false
	}
	md, ok := p.funcs[key.fn]
	if !ok {
		return false
	}
	sig := fn.Origin().Signature()
	if sig.Variadic() && i >= sig.Params().Len()-1 {
		i = sig.Params().Len() - 1
	}
	var param *types.Var
	for _, f := range md.decl.Type.Params.List {
		if i < len(f.Names) {
			param, _ = md.info.Defs[f.Names[i]].(*types.Var)
			break
		}
		i -= max(len(f.Names), 1)
	}
	if param == nil {
		return false // unnamed, or named _: nothing reads it
	}
	p.params[key] = inProgress
	changed := false
	s := &scanner{prog: p, info: md.info, recv: param, param: true, alias: map[*types.Var]*types.Var{param: param}}
	s.found = func(ast.Expr, string, *types.Var, string) { changed = true }
	s.aliases(md.decl.Body)
	s.scan(md.decl.Body)
	p.params[key] = keeps
	if changed {
		p.params[key] = changes
	}
	return changed
}

// loaded reports whether method m is declared in the packages checked.
func (p *program) loaded(m *types.Func) bool {
	_, ok := p.methods[m.Origin().FullName()]
	return ok
}

// changesReceiver reports whether the body of md may change what its
// receiver reaches: by an assignment, ++ or --, its address taken, a
// send or receive, delete, clear, copy, close or append, a method that
// may change it called on it (the methods of other packages as
// NoPackageState takes them, but a value method of a type that shares
// memory, which is taken to change it), a function value in it called,
// or what it reaches passed to a function, returned, sent, or stored
// other than in a local variable (whose changes count in turn).
func (md methodDecl) changesReceiver(p *program) bool {
	f := md.decl.Recv.List[0]
	if len(f.Names) == 0 {
		return false
	}
	recv, ok := md.info.Defs[f.Names[0]].(*types.Var)
	if !ok {
		return false // named _: nothing reads it
	}
	changed := false
	s := &scanner{prog: p, info: md.info, recv: recv, alias: map[*types.Var]*types.Var{recv: recv}}
	s.found = func(ast.Expr, string, *types.Var, string) { changed = true }
	s.aliases(md.decl.Body)
	s.scan(md.decl.Body)
	return changed
}

// dynamicChanges reports whether method m of an interface may change
// what the value it is called on reaches, when that value has type t:
// its method of t's, by changesReceiver for one declared in the packages
// checked, else when it has a pointer receiver and is not readOnly.
func (p *program) dynamicChanges(t types.Type, m *types.Func) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
	fn, ok := obj.(*types.Func)
	if !ok {
		return true
	}
	if p.loaded(fn) {
		return p.changesReceiver(fn)
	}
	return isPointer(fn.Type().(*types.Signature).Recv().Type()) && !readOnly(fn)
}

// scanner finds the changes in a body of code to what its roots reach.
// In NoPackageState's own reading (recv nil) the roots are the
// package-level variables; in changesReceiver's, the receiver of the
// method read, and what reaches it there also counts as a change when it
// is passed on.
type scanner struct {
	prog *program
	info *types.Info
	pkg  *types.Package // the package read, to name types in it
	recv *types.Var     // the receiver of the method read, or nil
	// param says that recv is a parameter of a function, read for
	// changesParam: passed to another package's function, or returned,
	// it is not taken to change.
	param bool
	// alias maps each local variable whose value is taken from a root
	// (directly or through fields, elements, &) and may share memory
	// with it to that root.
	alias map[*types.Var]*types.Var
	// captured, when set, holds the roots instead of the package-level
	// variables: the locals of code run while the package initializes,
	// which the function literals made there capture (initRun).
	captured map[*types.Var]bool
	// more maps a local of alias that may copy several roots (what a
	// function returning parts of several variables returns) to the
	// roots past its first.
	more  map[*types.Var][]*types.Var
	extra []*types.Var // the roots past the first that reach last found
	// shadow is set while found is told of such a root: a change to
	// count, not to name again at the same place.
	shadow bool
	found  func(e ast.Expr, how string, root *types.Var, via string)
	// process, when set, is told of each call of a function that
	// changes the state of the process or of the file system (see
	// processChanges): fn names it, what what it changes.
	process func(call *ast.CallExpr, fn, what string)
}

// processChanges holds the functions of the standard library that change
// state which outlives every instance and every System built anew as a
// package-level variable does, by package and name, with what they
// change: the environment and the working directory, which a real crash
// resets, and the file system, whose files a real crash keeps, or keeps
// in part, where the search restores none of it.
var processChanges = map[string]map[string]string{
	"os": {
		"Setenv": "the process's environment", "Unsetenv": "the process's environment", "Clearenv": "the process's environment",
		"Chdir":     "the process's working directory",
		"WriteFile": "the file system", "Create": "the file system", "CreateTemp": "the file system", "OpenFile": "the file system",
		"Mkdir": "the file system", "MkdirAll": "the file system", "MkdirTemp": "the file system",
		"Remove": "the file system", "RemoveAll": "the file system", "Rename": "the file system", "Truncate": "the file system",
		"Symlink": "the file system", "Link": "the file system", "Chmod": "the file system", "Chown": "the file system",
		"Lchown": "the file system", "Chtimes": "the file system",
	},
	"syscall": {
		"Setenv": "the process's environment", "Unsetenv": "the process's environment", "Clearenv": "the process's environment",
		"Chdir": "the process's working directory",
	},
}

// processCall returns the name of the function of processChanges that
// call calls, qualified by its package, and what it changes, or "" where
// it calls none of them. os.OpenFile with the constant flag os.O_RDONLY
// opens a file to read, and changes nothing.
func (s *scanner) processCall(call *ast.CallExpr) (fn, what string) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return "", ""
	}
	f, ok := s.info.Uses[sel.Sel].(*types.Func)
	if !ok || f.Pkg() == nil || f.Signature().Recv() != nil {
		return "", ""
	}
	what = processChanges[f.Pkg().Path()][f.Name()]
	if what == "" {
		return "", ""
	}
	if f.Pkg().Path() == "os" && f.Name() == "OpenFile" && len(call.Args) == 3 {
		if tv, ok := s.info.Types[call.Args[1]]; ok && tv.Value != nil && tv.Value.String() == "0" {
			return "", ""
		}
	}
	return f.Pkg().Name() + "." + f.Name(), what
}

// need says what a change made through a local copy of a root must
// reach to change the root.
type need int

const (
	place    need = iota // e itself, the place: the copy's own memory is the local's
	target               // what e refers to: a pointer's target, a map's entries, a slice's elements
	anything             // anything that e reaches
)

// note records the change of e, in the way how, if e is or reaches a
// root: any change of a package-level variable, and one made through a
// local copy when it reaches memory that the copy shares with the root,
// as n says.
func (s *scanner) note(e ast.Expr, how string, n need) {
	root, via, shared := s.reach(e)
	if root == nil {
		return
	}
	if via != "" && !shared {
		switch {
		case n == place, n == target && !reference(s.info.TypeOf(e)):
			return
		}
	}
	extra := s.extra
	s.found(e, how, root, via)
	for _, r := range extra {
		s.shadow = true
		s.found(e, how, r, via)
		s.shadow = false
	}
}

// reach returns the root that e is or reaches (through fields,
// elements, slices, pointers and type assertions), what it goes through
// when it goes through a copy ("the local p", or "what table returns"
// for the result of a call of a function that returns a package-level
// variable's memory), and whether the way from that copy to e passes a
// pointer, map, slice or interface: memory the copy shares with the
// root. The roots past the first, where a copy may be of several, are
// left in s.extra.
func (s *scanner) reach(e ast.Expr) (root *types.Var, via string, shared bool) {
	s.extra = nil
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return s.rootOf(s.info.ObjectOf(x), shared)
		case *ast.SelectorExpr:
			sel, ok := s.info.Selections[x]
			if !ok {
				return s.rootOf(s.info.ObjectOf(x.Sel), shared) // pkg.Var
			}
			if sel.Kind() != types.FieldVal {
				return nil, "", false
			}
			shared = shared || sel.Indirect()
			e = x.X
		case *ast.IndexExpr:
			shared = shared || indirect(s.info.TypeOf(x.X))
			e = x.X
		case *ast.SliceExpr:
			shared = shared || indirect(s.info.TypeOf(x.X))
			e = x.X
		case *ast.StarExpr:
			shared = true
			e = x.X
		case *ast.TypeAssertExpr:
			e = x.X
		case *ast.CallExpr:
			roots, fn := s.results(x, 0)
			if len(roots) == 0 {
				return nil, "", false
			}
			s.extra = roots[1:]
			return roots[0], "what " + fn + " returns", shared
		default:
			return nil, "", false
		}
	}
}

// results returns, in NoPackageState's own reading, the package-level
// variables whose memory result i of call may share, and the name of
// what it calls: a function or method of the packages checked that
// returns such memory (returned), or the function that sync.OnceValue
// or OnceValues made, held in a package-level variable, whose result
// shares memory: every call returns the value it built (what another
// func held in a variable returns is taken as given, as what another
// package's function returns).
func (s *scanner) results(call *ast.CallExpr, i int) ([]*types.Var, string) {
	if s.recv != nil || s.captured != nil {
		return nil, ""
	}
	if fn := staticCallee(s.info, call); fn != nil {
		if rs := s.prog.returned(fn); i < len(rs) {
			return rs[i], fn.Name()
		}
		return nil, ""
	}
	v := directVar(s.info, call.Fun)
	if v == nil || !s.prog.onceValue[v] {
		return nil, ""
	}
	sig, ok := under(v.Type()).(*types.Signature)
	if !ok || i >= sig.Results().Len() || !sharesMemory(sig.Results().At(i).Type()) {
		return nil, ""
	}
	return []*types.Var{v}, v.Name()
}

// rootOf returns the root that obj is, or that the local variable obj
// is a copy of, with obj for via.
func (s *scanner) rootOf(obj types.Object, shared bool) (root *types.Var, via string, _ bool) {
	v, ok := obj.(*types.Var)
	if !ok {
		return nil, "", false
	}
	if s.captured != nil {
		if s.captured[v] {
			return v, "", shared
		}
		if r, ok := s.alias[v]; ok {
			return r, "the local " + v.Name(), shared
		}
		return nil, "", false
	}
	if s.recv == nil {
		if pv := asPackageVar(v); pv != nil {
			return pv, "", shared
		}
	}
	if r, ok := s.alias[v]; ok {
		s.extra = s.more[v]
		return r, "the local " + v.Name(), shared
	}
	return nil, "", false
}

// flows returns the root whose memory the value of e may share: the
// root e reaches, the one whose part e takes the address of, or one
// that a conversion, an append or a composite literal passes on.
func (s *scanner) flows(e ast.Expr) *types.Var {
	switch x := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return s.flows(x.X)
		}
		return nil
	case *ast.CallExpr:
		if tv, ok := s.info.Types[x.Fun]; ok && tv.IsType() {
			if len(x.Args) == 1 && sharesMemory(s.info.TypeOf(x.Args[0])) {
				return s.flows(x.Args[0])
			}
			return nil
		}
		switch s.builtin(x) {
		case "":
			root, _, _ := s.reach(x) // what a function returns
			return root
		case "append":
		default:
			return nil
		}
		for i, a := range x.Args {
			t := s.info.TypeOf(a)
			if i == len(x.Args)-1 && x.Ellipsis.IsValid() {
				if sl, ok := t.Underlying().(*types.Slice); ok {
					t = sl.Elem()
				}
			}
			if r := s.flows(a); r != nil && sharesMemory(t) {
				return r
			}
		}
		return nil
	case *ast.CompositeLit:
		for _, el := range x.Elts {
			parts := []ast.Expr{el}
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				parts = []ast.Expr{kv.Key, kv.Value}
				if _, ok := s.info.Types[x].Type.Underlying().(*types.Struct); ok {
					parts = parts[1:] // a field's name
				}
			}
			for _, part := range parts {
				if r := s.flows(part); r != nil && sharesMemory(s.info.TypeOf(part)) {
					return r
				}
			}
		}
		return nil
	}
	root, _, _ := s.reach(e)
	return root
}

// builtin returns the name of the built-in function that call calls, or
// "".
func (s *scanner) builtin(call *ast.CallExpr) string {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := s.info.Uses[id].(*types.Builtin); ok {
			return b.Name()
		}
	}
	return ""
}

// aliases records the local variables in node that copy a root's
// pointer, map, slice, channel or interface, or a value holding one:
// assigned or declared with a value taken from a root (or from such a
// local), a range loop's variables over one, a type switch's over one.
// It does not follow the order of the code: a local assigned from a
// root anywhere is a copy everywhere.
func (s *scanner) aliases(node ast.Node) {
	type flow struct {
		dst *types.Var
		src ast.Expr
		// result, for a call of several results (s, err := table()),
		// is the one dst is given, plus one; else 0.
		result int
	}
	var flows []flow
	add := func(lhs, src ast.Expr) {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			return
		}
		v, ok := s.info.ObjectOf(id).(*types.Var)
		if !ok || v.IsField() || asPackageVar(v) != nil || !sharesMemory(v.Type()) {
			return
		}
		flows = append(flows, flow{v, src, 0})
	}
	pairs := func(lhs, rhs []ast.Expr) {
		switch {
		case len(lhs) == len(rhs):
			for i := range lhs {
				add(lhs[i], rhs[i])
			}
		case len(rhs) == 1:
			switch x := ast.Unparen(rhs[0]).(type) {
			case *ast.IndexExpr, *ast.TypeAssertExpr: // v, ok := m[k], x.(T)
				add(lhs[0], rhs[0])
			case *ast.CallExpr: // t, err := table()
				for i := range lhs {
					add(lhs[i], x)
					if n := len(flows); n > 0 && flows[n-1].src == ast.Expr(x) && flows[n-1].result == 0 {
						flows[n-1].result = i + 1
					}
				}
			}
		}
	}
	ast.Inspect(node, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			pairs(n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			names := make([]ast.Expr, len(n.Names))
			for i, name := range n.Names {
				names[i] = name
			}
			pairs(names, n.Values)
		case *ast.RangeStmt:
			switch under(s.info.TypeOf(n.X)).(type) {
			case *types.Chan, *types.Signature, nil:
				// A channel's elements are received, not shared with it;
				// an iterator's are its own.
			default:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if e != nil {
						add(e, n.X)
					}
				}
			}
		case *ast.TypeSwitchStmt:
			a, ok := n.Assign.(*ast.AssignStmt)
			if !ok || len(a.Rhs) != 1 {
				break
			}
			ta, ok := ast.Unparen(a.Rhs[0]).(*ast.TypeAssertExpr)
			if !ok {
				break
			}
			for _, c := range n.Body.List {
				if v, ok := s.info.Implicits[c].(*types.Var); ok && sharesMemory(v.Type()) {
					flows = append(flows, flow{v, ta.X, 0})
				}
			}
		}
		return true
	})
	for changed := true; changed; {
		changed = false
		for _, f := range flows {
			if _, ok := s.alias[f.dst]; ok {
				continue
			}
			var r *types.Var
			if f.result > 0 {
				var roots []*types.Var
				if roots, _ = s.results(f.src.(*ast.CallExpr), f.result-1); len(roots) > 0 {
					r, s.extra = roots[0], roots[1:]
				}
			} else {
				r = s.flows(f.src)
			}
			if r != nil {
				s.alias[f.dst], changed = r, true
				if len(s.extra) > 0 {
					if s.more == nil {
						s.more = map[*types.Var][]*types.Var{}
					}
					s.more[f.dst] = s.extra
				}
			}
		}
	}
}

// scan records the changes in body, function literals in it included.
func (s *scanner) scan(body ast.Node) {
	called := map[*ast.SelectorExpr]bool{}
	followed := map[*ast.UnaryExpr]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, lhs := range n.Lhs {
					s.note(lhs, "assigns", place)
				}
			}
			if len(n.Lhs) == len(n.Rhs) {
				for i, rhs := range n.Rhs {
					if !s.local(n.Lhs[i]) {
						s.escape(rhs)
					}
					if u, ok := ast.Unparen(rhs).(*ast.UnaryExpr); ok && u.Op == token.AND && n.Tok == token.DEFINE && s.selectedOnly(body, n.Lhs[i]) {
						followed[u] = true
					}
				}
			}
			for _, lhs := range n.Lhs {
				if ix, ok := ast.Unparen(lhs).(*ast.IndexExpr); ok {
					if _, ok := under(s.info.TypeOf(ix.X)).(*types.Map); ok {
						s.escape(ix.Index) // a key stored
					}
				}
			}
		case *ast.IncDecStmt:
			s.note(n.X, "assigns", place)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if e != nil {
						s.note(e, "assigns", place)
					}
				}
			}
			if _, ok := under(s.info.TypeOf(n.X)).(*types.Chan); ok {
				s.note(n.X, "receives from", target)
			}
		case *ast.UnaryExpr:
			switch n.Op {
			case token.AND:
				if !followed[n] {
					s.note(n.X, "takes the address of", place)
				}
			case token.ARROW:
				s.note(n.X, "receives from", target)
			}
		case *ast.SendStmt:
			s.note(n.Chan, "sends on", target)
			s.escape(n.Value)
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if !s.param {
					s.escape(r)
				}
			}
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				called[sel] = true
			}
			s.call(n)
		case *ast.SelectorExpr:
			if sel, ok := s.info.Selections[n]; ok && sel.Kind() == types.MethodVal {
				s.method(n, sel, called[n])
			}
		}
		return true
	})
}

// selectedOnly reports whether e is a local variable, followed as a copy
// of what it is given (aliases), that the code of body uses only to
// select a field or an element of what it points to (l.size, l.blocks[i]):
// its changes through it are seen there, as those of q := &v are, and it
// is passed nowhere, so that taking the address it is given (l :=
// &layouts[k], to read a table's entry without copying it) changes
// nothing by itself.
func (s *scanner) selectedOnly(body ast.Node, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := s.info.Defs[id].(*types.Var)
	if !ok || v == nil || s.alias[v] == nil {
		return false
	}
	uses, selected := 0, 0
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if s.info.Uses[n] == v {
				uses++
			}
		case *ast.SelectorExpr:
			if x, ok := ast.Unparen(n.X).(*ast.Ident); ok && s.info.Uses[x] == v {
				if sel, ok := s.info.Selections[n]; ok && sel.Kind() == types.FieldVal {
					selected++
				}
			}
		case *ast.IndexExpr:
			if x, ok := ast.Unparen(n.X).(*ast.Ident); ok && s.info.Uses[x] == v {
				selected++
			}
		}
		return true
	})
	return uses == selected
}

// local reports whether e, assigned, is a local variable (or _): a
// value stored there is followed by aliases, not passed on.
func (s *scanner) local(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	if id.Name == "_" {
		return true
	}
	v, ok := s.info.ObjectOf(id).(*types.Var)
	return ok && asPackageVar(v) == nil
}

// escape records, in changesReceiver's reading, that the value of e is
// passed on when it may share memory with the receiver: what it is given
// to may change it.
func (s *scanner) escape(e ast.Expr) {
	if s.recv == nil {
		return
	}
	if r := s.flows(e); r != nil && sharesMemory(s.info.TypeOf(e)) {
		s.found(e, "passes on", r, "")
	}
}

// call records the changes that call makes: those of the built-in
// functions to their first argument (append's, through a local copy
// only: it may write into the array that the root's slice shares), and,
// in changesReceiver's reading, what reaches the receiver passed to a
// function, and a function value that the receiver holds called.
func (s *scanner) call(call *ast.CallExpr) {
	fun := ast.Unparen(call.Fun)
	if tv, ok := s.info.Types[fun]; ok && tv.IsType() {
		return // a conversion
	}
	switch name := s.builtin(call); name {
	case "":
	case "delete", "clear", "close", "copy":
		if len(call.Args) > 0 {
			s.note(call.Args[0], builtinChanges[name], target)
		}
		return
	case "append":
		if len(call.Args) > 0 {
			if _, via, _ := s.reach(call.Args[0]); via != "" {
				s.note(call.Args[0], "appends into", target)
			}
		}
		return
	case "len", "cap", "min", "max", "real", "imag", "complex", "print", "println", "new", "make":
		return
	}
	if s.process != nil {
		if fn, what := s.processCall(call); fn != "" {
			s.process(call, fn, what)
		}
	}
	for i, a := range call.Args {
		if !s.param {
			s.escape(a)
			continue
		}
		// A parameter passed on to a function of the packages counts
		// where that one's parameter changes; to another package's
		// function, as in NoPackageState's own reading, it does not.
		if fn := staticCallee(s.info, call); fn != nil && s.prog.changesParam(fn, i) {
			s.escape(a)
		}
	}
	if fn := staticCallee(s.info, call); fn != nil && s.recv == nil {
		for i, a := range call.Args {
			if s.prog.changesParam(fn, i) {
				s.note(a, "passes to "+fn.Name()+", which may change it,", anything)
			}
		}
	}
	if s.recv == nil && s.captured == nil {
		if v := directVar(s.info, fun); v != nil {
			s.found(fun, heldCall, v, "")
		}
	}
	if s.recv != nil {
		if sel, ok := fun.(*ast.SelectorExpr); !ok || s.info.Selections[sel] == nil || s.info.Selections[sel].Kind() != types.MethodVal {
			if root, _, _ := s.reach(fun); root != nil {
				s.found(fun, "calls a function value in", root, "")
			}
		}
	}
}

// method records the change that the method x selects may make to its
// receiver, called (or taken as a method value, which keeps the
// receiver): a method declared in the packages checked that may change
// it (changesReceiver), a pointer method of another package's type but
// readOnly ones, and a method of an interface but an Error or a String
// method; for a package-level variable of interface type whose values'
// types are all seen, their methods, as if called on them.
func (s *scanner) method(x *ast.SelectorExpr, sel *types.Selection, called bool) {
	root, _, _ := s.reach(x.X)
	if root == nil {
		return
	}
	// Output to os.Stdout or os.Stderr, also through a copy of either.
	std := stdWrite(root, sel.Obj().(*types.Func))
	for _, r := range s.extra {
		std = std && stdWrite(r, sel.Obj().(*types.Func))
	}
	m := sel.Obj().(*types.Func)
	recvT := m.Type().(*types.Signature).Recv().Type()
	verb := func(what, more string) string {
		if called {
			return "calls the " + what + " " + m.Name() + more + " on"
		}
		return "takes the " + what + " value " + m.Name() + strings.TrimSuffix(more, ",") + ", bound to"
	}
	// The receiver is what x.X's pointer, or an embedded one, points to.
	deref := place
	if isPointer(s.info.TypeOf(x.X)) || sel.Indirect() {
		deref = anything
	}
	switch {
	case types.IsInterface(recvT):
		if readOnlyInterface(m) {
			return
		}
		if v := directVar(s.info, x.X); v != nil && s.recv == nil {
			if ts, ok := s.prog.dynamicTypes(v); ok {
				for _, t := range ts {
					if s.prog.dynamicChanges(t, m) {
						s.found(x.X, verb("method", " of "+types.TypeString(t, types.RelativeTo(s.pkg))), v, "")
						return
					}
				}
				return
			}
		}
		s.note(x.X, verb("interface method", ""), target)
	case s.prog.loaded(m):
		if !s.prog.changesReceiver(m) {
			return
		}
		if isPointer(recvT) {
			s.note(x.X, verb("pointer method", ""), deref)
		} else {
			s.note(x.X, verb("method", ", which changes what its receiver reaches,"), anything)
		}
	case isPointer(recvT):
		if !readOnly(m) && !std {
			s.note(x.X, verb("pointer method", ""), deref)
		}
	case s.recv != nil && sharesMemory(recvT):
		s.note(x.X, verb("method", ""), anything)
	}
}

// stdWrite reports whether m, called on the package-level variable v,
// is a write to os.Stdout or os.Stderr (Write, WriteString): output, as a
// log's records are, that no code of the process reads back, and that
// fmt.Fprintf(os.Stderr, ...) makes unseen too.
func stdWrite(v *types.Var, m *types.Func) bool {
	return v != nil && v.Pkg() != nil && v.Pkg().Path() == "os" && (v.Name() == "Stdout" || v.Name() == "Stderr") &&
		(m.Name() == "Write" || m.Name() == "WriteString")
}

// directVar returns the package-level variable that e names (v or
// pkg.V), or nil.
func directVar(info *types.Info, e ast.Expr) *types.Var {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return asPackageVar(info.ObjectOf(x))
	case *ast.SelectorExpr:
		if _, ok := info.Selections[x]; !ok {
			return asPackageVar(info.ObjectOf(x.Sel))
		}
	}
	return nil
}

// readOnlyInterface reports whether m, a method of an interface, is an
// Error or a String method (func() string), which by Go's convention
// (error, fmt.Stringer) only reads the value it is called on.
func readOnlyInterface(m *types.Func) bool {
	if m.Name() != "Error" && m.Name() != "String" {
		return false
	}
	sig := m.Type().(*types.Signature)
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 {
		return false
	}
	b, ok := sig.Results().At(0).Type().(*types.Basic)
	return ok && b.Kind() == types.String
}

// sharesMemory reports whether a copy of a value of type t may share
// memory with the original: a pointer, map, slice, channel or interface,
// or a struct or array holding one (but a time.Time, whose location is
// not changed); a type parameter may be any of them. A func is not
// followed.
func sharesMemory(t types.Type) bool {
	if t == nil {
		return false
	}
	switch n := types.Unalias(t).(type) {
	case *types.Named:
		if obj := n.Obj(); obj.Pkg() != nil && obj.Pkg().Path() == "time" && obj.Name() == "Time" {
			return false
		}
	case *types.TypeParam:
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Map, *types.Slice, *types.Chan, *types.Interface:
		return true
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Struct:
		for i := range u.NumFields() {
			if sharesMemory(u.Field(i).Type()) {
				return true
			}
		}
	case *types.Array:
		return sharesMemory(u.Elem())
	}
	return false
}

// under returns t's underlying type, or nil.
func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// reference reports whether a value of type t refers to memory that a
// copy of it shares: a pointer, map, slice, channel or interface.
func reference(t types.Type) bool {
	switch u := under(t).(type) {
	case *types.Pointer, *types.Map, *types.Slice, *types.Chan, *types.Interface:
		return true
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	}
	return false
}

// indirect reports whether an element or a slice of a value of type t
// is memory that a copy of the value shares: t is a pointer (to an
// array), a slice or a map, or a type parameter.
func indirect(t types.Type) bool {
	switch under(t).(type) {
	case *types.Pointer, *types.Slice, *types.Map, *types.Interface:
		return true
	}
	return false
}

// isPointer reports whether t is a pointer type.
func isPointer(t types.Type) bool {
	_, ok := under(t).(*types.Pointer)
	return ok
}

// isUntypedNil reports whether t is the type of nil.
func isUntypedNil(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Kind() == types.UntypedNil
}
