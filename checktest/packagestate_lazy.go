package checktest

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/packages"
)

// heldCall is the change, as the scanner names it, of a call of the
// function that a package-level variable holds: one only where
// sync.OnceFunc, OnceValue or OnceValues made it, and what it runs is not
// a lazily built value (excuse).
const heldCall = "calls the function held in"

// lazyValue is a value built once, when first needed: a package-level
// sync.Once and the function given to its Do, or a package-level
// variable holding the function that sync.OnceFunc, OnceValue or
// OnceValues made of the function given them.
type lazyValue struct {
	key      string // the variable (varKey)
	made     string // "sync.OnceValue", ..., or "" for a sync.Once
	exported bool
	bad      bool                   // used otherwise than by its triggers
	triggers map[*ast.CallExpr]bool // once.Do(f), table()
	args     []use                  // the functions given: f
	body     ast.Node               // what runs, a function literal or declaration
	info     *types.Info            // body's
	targets  map[string]bool        // the package-level variables that body builds
}

// use is an identifier in the packages' code, with its package's types.
type use struct {
	id   *ast.Ident
	info *types.Info
}

// lazyCheck holds what excuse reads across the packages checked.
type lazyCheck struct {
	prog     *program
	parent   map[ast.Node]ast.Node
	uses     map[string][]use // the uses of package-level variables, by varKey
	funcUses map[string][]use // the uses of functions, by funcKey
	declared map[string]*types.Var
	writes   []packageWrite
	changed  map[string]bool // the variables that some code changes, by varKey
	lazies   map[string]*lazyValue
	visiting map[string]bool // the functions pure has read, for one lazy value
	// total, while pure reads what a sync.Once's Do runs, asks that it
	// may not panic part-way (mayPanic).
	total bool
	// good holds the lazy values found so far to leave nothing behind,
	// and excused the variables they build: what a lazy value built
	// from them reads and runs of them changes nothing.
	good, excused map[string]bool
}

// excuse returns writes without the changes that leave nothing behind
// for a later path to meet, and with the calls of functions held in
// package-level variables that are changes:
//
//   - a lazily built value (lazyValue) whose function is deterministic
//     as far as the code shows (pure; for a sync.Once's Do, one that
//     cannot panic part-way, mayPanic) and builds variables that
//     nothing else changes and that are read only after it ran
//     (readAfter): its once.Do, and its assignments of those variables,
//     are no change; a call of the function that sync.OnceValue (or
//     OnceFunc, OnceValues) made is a change where what it runs is not
//     of that shape, and no other call of a function held in a variable
//     is named, as before;
//   - a sync.Mutex or sync.RWMutex only locked as mu.Lock() followed by
//     defer mu.Unlock() (RLock, RUnlock), in functions that change
//     nothing else: every operation returns with it unlocked, so it is
//     as it was at each state the search meets.
func excuse(prog *program, pkgs []*packages.Package, writes []packageWrite) []packageWrite {
	c := &lazyCheck{
		prog:     prog,
		parent:   map[ast.Node]ast.Node{},
		uses:     map[string][]use{},
		funcUses: map[string][]use{},
		declared: map[string]*types.Var{},
		writes:   writes,
		changed:  map[string]bool{},
		lazies:   map[string]*lazyValue{},
	}
	var locks []use
	for _, pkg := range pkgs {
		info := pkg.TypesInfo
		for id, obj := range info.Uses {
			if v := asPackageVar(obj); v != nil {
				c.uses[varKey(v)] = append(c.uses[varKey(v)], use{id, info})
			} else if k := funcKey(obj); k != "" {
				c.funcUses[k] = append(c.funcUses[k], use{id, info})
			}
		}
		for _, f := range pkg.Syntax {
			var stack []ast.Node
			ast.Inspect(f, func(n ast.Node) bool {
				if n == nil {
					stack = stack[:len(stack)-1]
					return false
				}
				if len(stack) > 0 {
					c.parent[n] = stack[len(stack)-1]
				}
				stack = append(stack, n)
				return true
			})
			for _, decl := range f.Decls {
				g, ok := decl.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						v := asPackageVar(info.Defs[name])
						if v == nil {
							continue
						}
						c.declared[varKey(v)] = v
						switch {
						case isSyncType(v.Type(), "Once"):
							c.lazies[varKey(v)] = &lazyValue{key: varKey(v), exported: v.Exported(), bad: len(vs.Values) > 0}
						case isSyncType(v.Type(), "Mutex"), isSyncType(v.Type(), "RWMutex"):
							if !v.Exported() && len(vs.Values) == 0 {
								locks = append(locks, use{name, info})
							}
						case len(vs.Values) == len(vs.Names):
							call, ok := ast.Unparen(vs.Values[i]).(*ast.CallExpr)
							if !ok || len(call.Args) != 1 {
								break
							}
							fn := staticCallee(info, call)
							if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
								break
							}
							switch fn.Name() {
							case "OnceFunc", "OnceValue", "OnceValues":
								c.lazies[varKey(v)] = &lazyValue{key: varKey(v), made: "sync." + fn.Name(), exported: v.Exported(), args: []use{{nil, info}}}
								c.lazies[varKey(v)].body, c.lazies[varKey(v)].args[0].id = funcArg(call.Args[0])
							}
						}
					}
				}
			}
		}
	}
	for _, w := range writes {
		if w.root != "" && !w.held {
			c.changed[w.root] = true
		}
	}
	for k, l := range c.lazies {
		if l.made != "" {
			c.changed[k] = true
		}
		c.readTriggers(l)
	}
	good := map[string]bool{}    // lazy values and locks whose changes are excused
	excused := map[string]bool{} // ... and the variables those values build
	c.good, c.excused = good, excused
	// A lazy value may be built from another (derive(table())): read
	// them again while one more is found good.
	for more := true; more; {
		more = false
		for k, l := range c.lazies {
			if !good[k] && c.lazy(l) {
				good[k], more = true, true
				for t := range l.targets {
					excused[t] = true
				}
			}
		}
	}
	// change reports whether w is a change, and what to call it.
	change := func(w packageWrite) (string, bool) {
		switch {
		case w.held:
			l := c.lazies[w.root]
			if l == nil || l.made == "" || good[w.root] {
				return "", false
			}
			return "calls the function that " + l.made + " made, held in", true
		case good[w.root], excused[w.root]:
			return "", false
		}
		return w.how, true
	}
	lockKeys := map[string]bool{}
	for _, l := range locks {
		lockKeys[varKey(asPackageVar(l.info.Defs[l.id]))] = true
	}
	for _, l := range locks {
		if key := varKey(asPackageVar(l.info.Defs[l.id])); c.readOnlyLock(key, lockKeys, change) {
			good[key] = true
		}
	}
	var kept []packageWrite
	for _, w := range writes {
		if how, ok := change(w); ok && !w.shadow {
			w.how = how
			kept = append(kept, w)
		}
	}
	return kept
}

// funcArg returns the body of the function that e gives (a function
// literal; the identifier of a named function, whose declaration
// lazy finds), either nil.
func funcArg(e ast.Expr) (ast.Node, *ast.Ident) {
	switch x := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return x, nil
	case *ast.Ident:
		return nil, x
	case *ast.SelectorExpr:
		return nil, x.Sel
	}
	return nil, nil
}

// isSyncType reports whether t is the type sync.name.
func isSyncType(t types.Type, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == name
}

// readTriggers finds the calls that run l: once.Do(f), for a sync.Once
// (with its argument), table() for a function that sync.OnceValue made.
// Any other use of the variable makes l bad.
func (c *lazyCheck) readTriggers(l *lazyValue) {
	l.triggers = map[*ast.CallExpr]bool{}
	for _, u := range c.uses[l.key] {
		var call *ast.CallExpr
		if l.made == "" {
			if sel, ok := c.parent[u.id].(*ast.SelectorExpr); ok && sel.X == u.id && sel.Sel.Name == "Do" {
				call, _ = c.parent[sel].(*ast.CallExpr)
				if call != nil && (call.Fun != sel || len(call.Args) != 1) {
					call = nil
				}
			}
			if call != nil {
				body, id := funcArg(call.Args[0])
				if body != nil {
					l.body, l.info = body, u.info
				}
				l.args = append(l.args, use{id, u.info})
			}
		} else if cl, ok := c.parent[u.id].(*ast.CallExpr); ok && cl.Fun == u.id {
			call = cl
		}
		if call == nil {
			l.bad = true
			continue
		}
		l.triggers[call] = true
	}
}

// lazy reports whether l builds a value lazily, deterministically, that
// nothing else changes and that is read only after l ran.
func (c *lazyCheck) lazy(l *lazyValue) bool {
	if l.bad || l.made == "" && l.exported || len(l.args) == 0 {
		return false
	}
	// What runs: a function literal given at the only trigger, or a
	// function of the packages given at each, used nowhere else.
	exported := false
	switch {
	case l.body != nil:
		if len(l.args) != 1 {
			return false
		}
		if l.info == nil {
			l.info = l.args[0].info
		}
	default:
		key := ""
		for _, a := range l.args {
			if a.id == nil {
				return false
			}
			fn, ok := a.info.Uses[a.id].(*types.Func)
			if !ok || fn.Signature().Recv() != nil || key != "" && funcKey(fn) != key {
				return false
			}
			key = funcKey(fn)
		}
		md, ok := c.prog.funcs[key]
		if !ok {
			return false
		}
		args := map[*ast.Ident]bool{}
		for _, a := range l.args {
			args[a.id] = true
		}
		for _, u := range c.funcUses[key] {
			if !args[u.id] {
				return false
			}
		}
		l.body, l.info = md.decl, md.info
		// Code out of the packages may call an exported one at any
		// time, to build its variables again.
		exported = md.decl.Name.IsExported()
	}
	// What it changes: package-level variables of the packages, not
	// exported, that nothing else changes.
	l.targets = map[string]bool{}
	for _, w := range c.writes {
		if !within(w.at, l.body) {
			continue
		}
		if w.held && c.good[w.root] {
			continue // another lazy value, run
		}
		if w.root == "" || w.process != "" || w.captured || w.held {
			return false
		}
		v := c.declared[w.root]
		if v == nil || v.Exported() || c.lazies[w.root] != nil {
			return false
		}
		l.targets[w.root] = true
	}
	if exported && len(l.targets) > 0 || c.counts(l) {
		return false
	}
	// The value that sync.OnceValue built, changed through what the
	// function it made returns (table()[0] = 1).
	for _, w := range c.writes {
		if w.root == l.key && !w.held && l.made != "" {
			return false
		}
	}
	for t := range l.targets {
		for _, w := range c.writes {
			if w.root == t && !within(w.at, l.body) {
				return false
			}
		}
	}
	var callees []ast.Node
	c.visiting = map[string]bool{} // each function read once
	// A sync.Once whose function panics is done all the same, and every
	// later path meets what it had built so far; the function that
	// sync.OnceValue (OnceFunc, OnceValues) made panics again at each
	// call instead, and no read follows it.
	c.total = l.made == ""
	if !c.pure(l.body, l.info, l.body, l.targets, &callees) {
		return false
	}
	for _, w := range c.writes {
		if w.held && c.good[w.root] || !w.held && (c.good[w.root] || c.excused[w.root]) {
			continue // another lazy value's, built or run
		}
		for _, d := range callees {
			if within(w.at, d) {
				return false
			}
		}
	}
	for t := range l.targets {
		for _, u := range c.uses[t] {
			if !within(u.id.Pos(), l.body) && !c.readAfter(u, l) {
				return false
			}
		}
	}
	return true
}

// counts reports whether the code of l counts in a variable it builds
// (runs++, runs += 1): a count, not a value built, although run once.
func (c *lazyCheck) counts(l *lazyValue) bool {
	target := func(e ast.Expr) bool {
		v := directVar(l.info, e)
		return v != nil && l.targets[varKey(v)]
	}
	found := false
	ast.Inspect(l.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IncDecStmt:
			found = found || target(n.X)
		case *ast.AssignStmt:
			if n.Tok != token.ASSIGN && n.Tok != token.DEFINE {
				for _, lhs := range n.Lhs {
					found = found || target(lhs)
				}
			}
		}
		return !found
	})
	return found
}

// within reports whether pos lies in node.
func within(pos token.Pos, node ast.Node) bool {
	return node.Pos() <= pos && pos < node.End()
}

// pure reports whether node, the code of a lazy value (or of a function
// it calls, declared in scope), computes what it does from its own
// locals, the variables it builds (targets), package-level variables
// that no code changes, and what functions of other packages return:
// no local of the code around it, no variable that changes, no
// goroutine, no method of an interface, no func value but a function
// literal in it called, no function of the packages but called (whose
// code it reads in turn, appended to callees).
func (c *lazyCheck) pure(node ast.Node, info *types.Info, scope ast.Node, targets map[string]bool, callees *[]ast.Node) bool {
	ok := true
	ast.Inspect(node, func(n ast.Node) bool {
		if !ok {
			return false
		}
		if c.total && c.mayPanic(n, info) {
			ok = false
			return false
		}
		switch n := n.(type) {
		case *ast.GoStmt:
			ok = false
		case *ast.CallExpr:
			if tv, found := info.Types[n.Fun]; found && tv.IsType() {
				break // a conversion
			}
			switch fun := ast.Unparen(n.Fun).(type) {
			case *ast.FuncLit:
			default:
				if v := directVar(info, fun); v != nil && c.good[varKey(v)] {
					break // what another lazy value built
				}
				if staticCallee(info, n) == nil {
					if id, isID := fun.(*ast.Ident); !isID || info.Uses[id] == nil {
						ok = false
					} else if _, isB := info.Uses[id].(*types.Builtin); !isB {
						ok = false
					}
				}
			}
		case *ast.Ident:
			switch obj := info.Uses[n].(type) {
			case *types.Var:
				if obj.IsField() {
					break
				}
				if v := asPackageVar(obj); v != nil {
					if k := varKey(v); !targets[k] && c.changed[k] && !c.good[k] && !c.excused[k] {
						ok = false
					}
				} else if !within(obj.Pos(), scope) {
					ok = false // a local of the code around it
				}
			case *types.Func:
				if recv := obj.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
					ok = false
					break
				}
				key := funcKey(obj)
				md, found := c.prog.funcs[key]
				if !found {
					break
				}
				if !c.calledAs(n) {
					ok = false // a func value: it may run anywhere
					break
				}
				if c.visiting[key] {
					break
				}
				c.visiting[key] = true
				*callees = append(*callees, md.decl)
				ok = c.pure(md.decl, md.info, md.decl, targets, callees)
			}
		}
		return true
	})
	return ok
}

// mayPanic reports whether n, in the code of a lazy value or of a
// function it calls, may panic: a call of panic or close, of a function
// of another package (whose code is not read), of a func value (what
// another lazy value's sync.OnceValue made) or of make with a length
// that is not a constant, len or cap; an index but a map's read, one
// into an array by a constant, or one by the key of a range loop over
// the same variable (for i := range tab { tab[i] = ... }), which neither
// the loop changes; a slice expression with bounds; a pointer followed
// (*p, p.f, a value method called through a pointer, a range loop's
// values over a pointer to an array); a type assertion that is not a comma-ok one; an integer
// division or remainder by a divisor that is not a constant; a shift by
// a signed count that is not a constant; a conversion of a slice to an
// array or a pointer to one; a send. It is conservative: what it takes as total cannot
// panic, but a plainly total function may be refused.
func (c *lazyCheck) mayPanic(n ast.Node, info *types.Info) bool {
	constant := func(e ast.Expr) bool {
		tv, ok := info.Types[e]
		return ok && tv.Value != nil
	}
	switch n := n.(type) {
	case *ast.SendStmt:
		return true
	case *ast.CallExpr:
		if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
			to := under(tv.Type)
			if p, ok := to.(*types.Pointer); ok {
				to = under(p.Elem())
			}
			_, toArray := to.(*types.Array)
			_, fromSlice := under(info.TypeOf(n.Args[0])).(*types.Slice)
			return toArray && fromSlice
		}
		if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
			if b, ok := info.Uses[id].(*types.Builtin); ok {
				switch b.Name() {
				case "panic", "close":
					return true
				case "make":
					for _, a := range n.Args[1:] {
						if !constant(a) && !lengthOf(a, info) {
							return true
						}
					}
				}
				return false
			}
		}
		if fn := staticCallee(info, n); fn != nil {
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && fn.Name() == "Do" && isSyncType(recvType(fn), "Once") {
				if v := directVar(info, sel.X); v != nil && c.good[varKey(v)] {
					return false // another lazy value's Do, which cannot panic
				}
			}
			_, found := c.prog.funcs[funcKey(fn)]
			return !found
		}
		// A func value: what sync.OnceValue made panics again where
		// its function did.
		_, lit := ast.Unparen(n.Fun).(*ast.FuncLit)
		return !lit
	case *ast.IndexExpr:
		switch under(info.TypeOf(n.X)).(type) {
		case *types.Map:
			return c.assigned(n) // a nil map's
		case *types.Array:
			if constant(n.Index) {
				return false
			}
		case *types.Signature, nil:
			return false // a generic function instantiated
		}
		return !c.rangeIndex(n, info)
	case *ast.SliceExpr:
		return n.Low != nil || n.High != nil || n.Max != nil
	case *ast.StarExpr:
		tv, ok := info.Types[n]
		return ok && tv.IsValue()
	case *ast.SelectorExpr:
		sel, ok := info.Selections[n]
		if !ok || !sel.Indirect() {
			return false
		}
		if sel.Kind() == types.FieldVal {
			return true
		}
		// A value method called through a pointer follows it.
		m, isFunc := sel.Obj().(*types.Func)
		return isFunc && !isPointer(m.Signature().Recv().Type())
	case *ast.RangeStmt:
		return n.Value != nil && isPointer(info.TypeOf(n.X)) // a pointer to an array followed
	case *ast.TypeAssertExpr:
		if n.Type == nil {
			return false // a type switch
		}
		switch p := c.parent[n].(type) {
		case *ast.AssignStmt:
			return len(p.Lhs) != 2
		case *ast.ValueSpec:
			return len(p.Names) != 2
		}
		return true
	case *ast.BinaryExpr:
		return c.mayFault(n.Op, n.Y, info)
	case *ast.AssignStmt:
		if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
			switch n.Tok {
			case token.QUO_ASSIGN:
				return c.mayFault(token.QUO, n.Rhs[0], info)
			case token.REM_ASSIGN:
				return c.mayFault(token.REM, n.Rhs[0], info)
			case token.SHL_ASSIGN, token.SHR_ASSIGN:
				return c.mayFault(token.SHL, n.Rhs[0], info)
			}
		}
	}
	return false
}

// recvType returns the type of method fn's receiver, a pointer's
// element, or nil.
func recvType(fn *types.Func) types.Type {
	r := fn.Signature().Recv()
	if r == nil {
		return nil
	}
	if p, ok := r.Type().(*types.Pointer); ok {
		return p.Elem()
	}
	return r.Type()
}

// lengthOf reports whether e is a call of len or cap: not negative.
func lengthOf(e ast.Expr, info *types.Info) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && (b.Name() == "len" || b.Name() == "cap")
}

// mayFault reports whether the integer operation op by y may panic: a
// division or remainder by a y that is not a constant, a shift by a
// signed y that is not a constant.
func (c *lazyCheck) mayFault(op token.Token, y ast.Expr, info *types.Info) bool {
	if tv, ok := info.Types[y]; !ok || tv.Value != nil {
		return false
	}
	b, ok := under(info.TypeOf(y)).(*types.Basic)
	if !ok {
		return false
	}
	switch op {
	case token.QUO, token.REM:
		return b.Info()&types.IsInteger != 0
	case token.SHL, token.SHR:
		return b.Info()&types.IsUnsigned == 0
	}
	return false
}

// assigned reports whether e is assigned to, or changed by ++ or --.
func (c *lazyCheck) assigned(e ast.Expr) bool {
	switch p := c.parent[e].(type) {
	case *ast.AssignStmt:
		return slices.Contains(p.Lhs, e)
	case *ast.IncDecStmt:
		return p.X == e
	}
	return false
}

// rangeIndex reports whether ix is v[i] in the body of a loop for i :=
// range v (or for i, x := range v), where v is a variable and neither
// it nor i is assigned, nor has its address taken, in the loop: an
// index in bounds.
func (c *lazyCheck) rangeIndex(ix *ast.IndexExpr, info *types.Info) bool {
	x, ok1 := ast.Unparen(ix.X).(*ast.Ident)
	i, ok2 := ast.Unparen(ix.Index).(*ast.Ident)
	if !ok1 || !ok2 {
		return false
	}
	v, k := info.Uses[x], info.Uses[i]
	for n := c.parent[ix]; n != nil; n = c.parent[n] {
		r, ok := n.(*ast.RangeStmt)
		if !ok {
			continue
		}
		key, ok := r.Key.(*ast.Ident)
		over, ok2 := ast.Unparen(r.X).(*ast.Ident)
		if !ok || !ok2 || r.Tok != token.DEFINE || info.Defs[key] != k || info.Uses[over] != v {
			continue
		}
		if _, isVar := v.(*types.Var); !isVar {
			return false
		}
		changed := false
		ast.Inspect(r.Body, func(n ast.Node) bool {
			var lhs []ast.Expr
			switch n := n.(type) {
			case *ast.AssignStmt:
				lhs = n.Lhs
			case *ast.IncDecStmt:
				lhs = []ast.Expr{n.X}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					lhs = []ast.Expr{n.X}
				}
			case *ast.RangeStmt:
				lhs = []ast.Expr{n.Key, n.Value}
			}
			for _, e := range lhs {
				if id, ok := e.(*ast.Ident); ok && (info.Uses[id] == v || info.Uses[id] == k) {
					changed = true
				}
			}
			return !changed
		})
		return !changed
	}
	return false
}

// calledAs reports whether id names the function that a call calls
// (f(), x.M(), f[T]()).
func (c *lazyCheck) calledAs(id *ast.Ident) bool {
	var n ast.Node = id
	if sel, ok := c.parent[n].(*ast.SelectorExpr); ok && sel.Sel == id {
		n = sel
	}
	switch x := c.parent[n].(type) {
	case *ast.IndexExpr:
		if x.X == n {
			n = x
		}
	case *ast.IndexListExpr:
		if x.X == n {
			n = x
		}
	}
	call, ok := c.parent[n].(*ast.CallExpr)
	return ok && call.Fun == n
}

// readAfter reports whether u, a use of a variable that l builds, runs
// only after l ran: in code run while the package initializes (before
// any), or after a statement of a function body around it (not in a
// branch of it: the body's own list) that runs l, once.Do(f) or t :=
// table(), in a body with no goto.
func (c *lazyCheck) readAfter(u use, l *lazyValue) bool {
	later := false
	for n := ast.Node(u.id); ; {
		p := c.parent[n]
		switch p := p.(type) {
		case nil:
			return false
		case *ast.BlockStmt:
			switch c.parent[p].(type) {
			case *ast.FuncDecl, *ast.FuncLit:
				if c.triggeredBefore(p, u.id.Pos(), l) {
					return true
				}
			}
		case *ast.FuncLit:
			if call, ok := c.parent[p].(*ast.CallExpr); !ok || call.Fun != p {
				later = true
			}
		case *ast.FuncDecl:
			return !later && c.prog.initOnly[u.info.Defs[p.Name]]
		case *ast.GenDecl:
			if _, top := c.parent[p].(*ast.File); top {
				return !later // an initializer
			}
		}
		n = p
	}
}

// triggeredBefore reports whether a statement of body's list that ends
// before pos runs l, and body has no goto.
func (c *lazyCheck) triggeredBefore(body *ast.BlockStmt, pos token.Pos, l *lazyValue) bool {
	jumps := false
	ast.Inspect(body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.GOTO {
			jumps = true
		}
		return !jumps
	})
	if jumps {
		return false
	}
	for _, st := range body.List {
		if st.End() > pos {
			break
		}
		var values []ast.Expr
		switch st := st.(type) {
		case *ast.ExprStmt:
			values = []ast.Expr{st.X}
		case *ast.AssignStmt:
			values = st.Rhs
		}
		for _, e := range values {
			if call, ok := ast.Unparen(e).(*ast.CallExpr); ok && l.triggers[call] {
				return true
			}
		}
	}
	return false
}

// readOnlyLock reports whether the lock key (a sync.Mutex or RWMutex) is
// only locked as mu.Lock() followed by defer mu.Unlock() (RLock and
// RUnlock), in functions whose code changes nothing else (as change
// tells; another lock, of locks, aside: one that is not of this shape is
// named for itself): each returns with it as it found it, and between
// them it reads only.
func (c *lazyCheck) readOnlyLock(key string, locks map[string]bool, change func(packageWrite) (string, bool)) bool {
	pairs := map[string]string{"Lock": "Unlock", "RLock": "RUnlock"}
	var bodies []ast.Node
	for _, u := range c.uses[key] {
		sel, ok := c.parent[u.id].(*ast.SelectorExpr)
		if !ok || sel.X != u.id {
			return false
		}
		call, ok := c.parent[sel].(*ast.CallExpr)
		if !ok || call.Fun != sel || len(call.Args) != 0 {
			return false
		}
		stmt, ok := c.parent[call].(ast.Stmt)
		if !ok {
			return false
		}
		block, ok := c.parent[stmt].(*ast.BlockStmt)
		if !ok {
			return false
		}
		i := 0
		for i < len(block.List) && block.List[i] != stmt {
			i++
		}
		switch stmt.(type) {
		case *ast.ExprStmt:
			unlock := pairs[sel.Sel.Name]
			if unlock == "" || i+1 >= len(block.List) || !c.lockCall(block.List[i+1], key, unlock, true) {
				return false
			}
		case *ast.DeferStmt:
			if i == 0 || !c.lockCall(block.List[i-1], key, lockOf(sel.Sel.Name), false) {
				return false
			}
		default:
			return false
		}
		for n := ast.Node(block); n != nil; n = c.parent[n] {
			if _, ok := n.(*ast.FuncDecl); ok {
				bodies = append(bodies, n)
				break
			}
			if _, ok := n.(*ast.FuncLit); ok {
				bodies = append(bodies, n)
				break
			}
		}
	}
	for _, w := range c.writes {
		if _, ok := change(w); !ok || locks[w.root] {
			continue
		}
		for _, b := range bodies {
			if within(w.at, b) {
				return false
			}
		}
	}
	return true
}

// lockOf returns the method that locks what unlock unlocks.
func lockOf(unlock string) string {
	switch unlock {
	case "Unlock":
		return "Lock"
	case "RUnlock":
		return "RLock"
	}
	return ""
}

// lockCall reports whether st is mu.name(), deferred or not as deferred
// says, for the lock key.
func (c *lazyCheck) lockCall(st ast.Stmt, key, name string, deferred bool) bool {
	var call *ast.CallExpr
	switch st := st.(type) {
	case *ast.ExprStmt:
		if !deferred {
			call, _ = st.X.(*ast.CallExpr)
		}
	case *ast.DeferStmt:
		if deferred {
			call = st.Call
		}
	}
	if call == nil || len(call.Args) != 0 {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	for _, u := range c.uses[key] {
		if u.id == id {
			return true
		}
	}
	return false
}
