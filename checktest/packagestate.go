package checktest

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// NoPackageState fails t for each place where the code of the packages
// that patterns name (as the go command names them: ".", "./...", an
// import path) changes a package-level variable, outside init functions,
// the unexported functions that only they call, and the variables' own
// initializers. argocheck's search sees the lower layer's state, and the
// determinism checks see the instance that Impl builds, but nothing sees
// a package-level variable: a counter, a cache or a "recovered" flag kept
// there carries over from one explored path to the next, which no crash
// and no new instance resets, and a verdict over such code is unsound.
// Keep that state in the lower layer, or build it in Impl.
//
// A change is an assignment to the variable or to anything reached from
// it (a field, an element, what a pointer in it points to), ++ or --, a
// range loop assigning it, its address taken (&v, as atomic.AddInt64
// takes it), delete, clear, copy or close of it, a send or a receive on
// it (a range loop over a channel too), and a method that may change it
// called on it or taken as a method value (which keeps it):
//
//   - a method of a type declared in the packages checked, when its body
//     may change what its receiver reaches: assigns, ++ or --, takes an
//     address, sends, receives, deletes, clears, copies, closes or
//     appends through it, calls on it a method that may change it (the
//     methods of other packages' types as below, and their value methods
//     too when the receiver's type holds a pointer, map, slice, channel
//     or interface), calls a func it holds, or passes it or such a part
//     of it on (to a function, returned, sent, stored other than in a
//     local variable, whose changes count in turn); a method that calls
//     itself, directly or not, is taken to change it. So
//     geometry.Offset(), with func (l *Layout) Offset() int { return
//     l.base }, is no change;
//   - a pointer method of another package's type (mu.Lock(), once.Do,
//     cache.Put, rng.IntN; not the reads of sync/atomic's types, of a
//     sync.Map, a compiled regexp.Regexp, a strings.Replacer, a
//     template, an os.File's Stat and Name, a base64 or base32
//     Encoding (base64.StdEncoding.EncodeToString) or a math/big Int
//     (Cmp, Sign, Int64...), nor Error and String methods, nor the
//     records that a log.Logger or slog.Logger writes, nor the Write
//     and WriteString of os.Stdout and os.Stderr, output that the
//     process never reads);
//   - a method of an interface, but an Error or a String method (func()
//     string, as error and fmt.Stringer have). For a variable that is
//     not exported, and that the packages checked only give values of
//     types that are not interfaces (var c Cache = &lru{}, or =
//     newLRU() that returns a *lru), the methods of those types are
//     taken instead, as above.
//
// A call of the function that sync.OnceFunc, OnceValue or OnceValues
// made, held in a package-level variable (var table =
// sync.OnceValue(build); table()), is a change too, as a sync.Once's Do
// is, but where what it runs builds a value lazily, as below.
//
// Not a change, since no path leaves in it anything that a later path
// meets:
//
//   - a value built lazily, once: a package-level sync.Once, not
//     exported, whose every use is a call of its Do with one function
//     literal (at its one call), or with one function of the packages
//     checked (at all its calls, used nowhere else, and not exported
//     where it changes variables), or a variable
//     holding what sync.OnceFunc, OnceValue or OnceValues made of such a
//     function, whose every use is a call, when that function (and the
//     functions of the packages that it calls, read in turn) uses no
//     local variable of the code around it, no package-level variable
//     that code of the packages changes but the ones it builds (and
//     those of another value built so), no func value but a function
//     literal in it (and what sync.OnceValue made for another value
//     built so), no method of an interface, no function of the packages
//     but called, starts no goroutine, for a sync.Once's Do cannot
//     panic part-way (a Do that panics is done all the same, and every
//     later path meets what it had built: no panic, close or send, no
//     call of a func value or of another package's function but another
//     lazy value's Do, no index but a map's read, one by a constant
//     into an array or by the key of a range loop over the same
//     variable, no slice bounds, no pointer followed, no division by a
//     variable...; what sync.OnceValue made panics again at each call
//     instead), and
//     changes (it, not the functions it calls) only package-level
//     variables of the packages, not exported, that nothing else
//     changes, and that every other use reads after it ran: in code run
//     while the package initializes, or after a statement of a function
//     body around the use, in the body's own list, that runs it
//     (once.Do(build), t := table()), in a body with no goto. Its Do (or
//     the call) and its assignments of those variables are no change
//     (var tabOnce sync.Once; func table() []uint32 { tabOnce.Do(func()
//     { tab = build() }); return tab }), nor those of a value built so
//     from another (derive(table())). What functions of other
//     packages return is taken as given, as in an initializer. A Do
//     whose function sets a variable that code reads before the Do (a
//     flag) or that other code changes too, counts in one (runs++,
//     runs += n), reads a variable that changes, or sets a local of the
//     code around it, is a change;
//   - a package-level sync.Mutex or sync.RWMutex, not exported, whose
//     every use is mu.Lock() followed at once by defer mu.Unlock()
//     (RLock and RUnlock), in functions whose code changes nothing else
//     named here: each returns with it unlocked, so every state the
//     search meets finds it so, and what it guards is only read.
//
// A call of a function of the standard library that changes the
// process's environment (os.Setenv, os.Unsetenv, os.Clearenv and
// syscall's), its working directory (os.Chdir) or the file system
// (os.WriteFile, os.Create, os.CreateTemp, os.OpenFile but with the
// constant flag os.O_RDONLY, os.Mkdir, os.Remove, os.Rename...) is named
// too: an environment variable set as a "recovered" flag outlives every
// instance and every System built anew, as a package-level variable
// does, and a file the layer keeps on the side is state that the search
// neither sees nor crashes. Reads (os.Getenv, os.ReadFile) are not.
//
// What a function or method of the packages returns, where it may
// share memory with a package-level variable (func table() []uint32 {
// ...; return tab }), and what the function that sync.OnceValue made
// returns, is followed as such a local is: table()[0] = 1, t :=
// table(); t[3]++, copy(table(), b) and append into it change the
// variable, named "through what table returns". So does passing the
// variable, or such a copy, to a function or method of the packages
// whose code may change what that parameter reaches (read as a method's
// receiver is, but that passing it on to another package's function,
// or returning it, is no change: fill(table()), with func fill(t
// []uint32) { t[0] = 1 }).
//
// A change made through a local variable that copies the variable's
// pointer, map, slice, channel or interface, or a struct or array
// holding one (a time.Time aside; p := v.ptr, m := counts, s := buf[:0],
// q := &v, for _, p := range ptrs, a type switch's), or copies such a
// local in turn, is a change of the variable, named with the local, when
// it reaches memory that the copy shares: p.n++, m[k]++, s = append(s,
// b), but not x.n = 1 for a struct copied whole (x := v), nor x++ for x
// := counter. Locals are followed within one function (its function
// literals included) and not in the order of the code: a local given
// such a value anywhere in it is a copy everywhere in it. The address
// taken to define a local that the function uses only to select fields
// or elements (g := &geometries[k]; n := g.size, to read a table's entry
// without copying it) is no change by itself: the changes made through
// the local are named there.
//
// A local variable of code that runs while the package initializes (a
// function literal called at once in an initializer, or a function that
// only initialization runs), captured by a function literal made there,
// lives on as a package-level variable does, and no System built anew
// makes it anew: its changes in the function literals that may run
// later count (var first = func() func() bool { done := false; return
// func() bool { ...; done = true; ... } }()), named as the variable
// made while the package initialized. So do those of the locals and
// parameters of a function or method of the packages that also runs
// later, when code run while a package initializes calls it, directly
// or through others (var next = NewCounter(), with func NewCounter()
// func() int { n := 0; return func() int { n++; return n } }): the
// closures that call made live on; named with the call. A local of a
// function literal that copies such a variable's pointer, map or slice
// (m := counts; m[k]++) is followed as a copy of a package-level
// variable is. A call that such code makes through a func value or an
// interface is followed to the functions it may call, where the code
// shows them: the functions and function literals given to a
// package-level variable of func type, not exported (what
// sync.OnceValue made calls the one given it), and the methods of the
// packages' types that implement the interface (of those a variable is
// given, where they are all seen); the closures they make then count as
// above. A function literal given to a function of the packages that
// only calls the parameter (not in a function literal, nor by go) runs
// during that call, as one called at once, and what such a call is
// given otherwise is followed as a call of it. Any other such call (a
// func taken from a slice, a parameter, a field) is named, as code
// whose changes go unchecked.
//
// Not seen: the variable, or a copy of its pointer, map or slice, passed
// as an argument to a function of another package, to a func value or
// to a method of an interface that changes it, stored in a field or in
// a variable that is not local and changed from there, or returned by a
// method of an interface, a func value (but what sync.OnceValue made), a
// function literal or a function given it, and changed by its caller (a
// method that returns what its receiver reaches is taken to change it);
// a func held in a variable and called
// (but what sync.OnceFunc, OnceValue or OnceValues made, above); a
// value method of another package's type that changes what its
// receiver's map or pointer reaches (an http.Header's Set); a method of
// an interface named Error or String that changes its value; the code
// of the packages that another package's code calls back while a
// package initializes (sort.Slice(xs, less), a method of a value it
// wraps); and a change made through reflect or unsafe.
// Test files are not checked: a package whose only Go files are test
// files (layer code written in a _test.go file) fails t, since nothing
// of it would be read, unless a pattern has a "..." wildcard: "./..."
// matches packages of tests alone as well, and those are logged.
func NoPackageState(t testing.TB, patterns ...string) {
	t.Helper()
	pkgs := load(t, "NoPackageState", patterns)
	wd, _ := os.Getwd()
	prog := newProgram(pkgs)
	var writes []packageWrite
	for _, p := range pkgs {
		writes = append(writes, packageWrites(prog, p.Fset, p.Syntax, p.TypesInfo, p.Types)...)
	}
	for _, w := range excuse(prog, pkgs, writes) {
		via := ""
		if w.via != "" {
			via = " through " + w.via
		}
		if w.process != "" {
			t.Errorf("%s:%d:%d: %s calls %s, which changes %s: state that argocheck's search does not see, which outlives every instance and every System built anew as a package-level variable does, and which a real crash does not leave as the search does (keep it in the lower layer, or build it in Impl)",
				shortPath(wd, w.pos.Filename), w.pos.Line, w.pos.Column, w.fn, w.name, w.process)
			continue
		}
		if w.unfollowed {
			t.Errorf("%s:%d:%d: %s calls %s while the package initializes, through a func value or an interface whose functions NoPackageState cannot tell: what they change, and the closures they make, which live on as package-level variables do, go unchecked (call a function or method of the packages by name there, or keep the func in a package-level variable, not exported, given only functions of the packages)",
				shortPath(wd, w.pos.Filename), w.pos.Line, w.pos.Column, w.fn, w.name)
			continue
		}
		if w.captured {
			made := "made while the package initialized"
			if w.madeBy.IsValid() {
				at := w.fset.Position(w.madeBy)
				made = fmt.Sprintf("made by the call at %s:%d:%d, which runs while the package initializes,", shortPath(wd, at.Filename), at.Line, at.Column)
			}
			t.Errorf("%s:%d:%d: %s %s the variable %s%s, %s and captured by a function literal: state that argocheck's search does not see, and that no System built anew makes anew (keep it in the lower layer, or build it in Impl)",
				shortPath(wd, w.pos.Filename), w.pos.Line, w.pos.Column, w.fn, w.how, w.name, via, made)
			continue
		}
		t.Errorf("%s:%d:%d: %s %s package-level variable %s%s: state that argocheck's search does not see (keep it in the lower layer, or build it in Impl)",
			shortPath(wd, w.pos.Filename), w.pos.Line, w.pos.Column, w.fn, w.how, w.name, via)
	}
}

// shortPath returns file relative to the directory wd when it lies
// inside it, as the go command prints paths, else file.
func shortPath(wd, file string) string {
	if rel, err := filepath.Rel(wd, file); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return file
}

// packageWrite is one change of a package-level variable.
type packageWrite struct {
	pos  token.Position
	fn   string // the function whose code it is, as "Write" or "(*Log).Write"
	how  string // "assigns", "takes the address of", ...
	name string // the variable, qualified by its package when not the one checked
	via  string // what the change goes through ("the local p", "what table returns"), or ""
	// captured says that the variable is a local of code run while the
	// package initialized, captured by a function literal made there.
	captured bool
	// process, when set, says that the change is a call of the function
	// name, which changes it: the state of the process or of the file
	// system (see processChanges).
	process string
	// root is the package-level variable changed (varKey), or "".
	root string
	at   token.Pos // where, in the packages' file set
	// held says that it is a call of the function the variable holds:
	// a change only where sync.OnceFunc, OnceValue or OnceValues made
	// it (excuse decides).
	held bool
	// madeBy, for a captured variable, is the call that made it while
	// the package initialized, of a function that runs later too; fset
	// places it.
	madeBy token.Pos
	fset   *token.FileSet
	// shadow says that the change is of a second root of a copy that
	// may be of several (a function returning parts of two variables):
	// counted for the variable, named at the first root's change.
	shadow bool
	// unfollowed says that it is no change but a call, made while the
	// package initializes, of name, which NoPackageState cannot follow.
	unfollowed bool
}

// packageWrites returns the changes of package-level variables in files,
// the code of package pkg, in the order of the source; prog holds the
// methods and variables of all the packages checked.
func packageWrites(prog *program, fset *token.FileSet, files []*ast.File, info *types.Info, pkg *types.Package) []packageWrite {
	initOnly := initOnlyFuncs(files, info)
	var writes []packageWrite
	for _, f := range files {
		for _, decl := range f.Decls {
			fn := ""
			s := &scanner{prog: prog, info: info, pkg: pkg, alias: map[*types.Var]*types.Var{}}
			s.found = func(e ast.Expr, how string, v *types.Var, via string) {
				name := v.Name()
				if v.Pkg() != pkg {
					name = v.Pkg().Name() + "." + name
				}
				w := packageWrite{pos: fset.Position(e.Pos()), fn: fn, how: how, name: name, via: via, at: e.Pos(), held: how == heldCall, shadow: s.shadow}
				if asPackageVar(v) != nil {
					w.root = varKey(v)
				}
				writes = append(writes, w)
			}
			s.process = func(call *ast.CallExpr, name, what string) {
				writes = append(writes, packageWrite{pos: fset.Position(call.Pos()), fn: fn, name: name, process: what, at: call.Pos()})
			}
			// The locals that copy a variable's pointer, map or slice,
			// in the whole declaration: a function literal may use the
			// ones that init or an initializer set.
			s.aliases(decl)
			d, ok := decl.(*ast.FuncDecl)
			switch {
			case ok && d.Body != nil && !initOnly[info.Defs[d.Name]]:
				fn = funcName(d)
				s.scan(d.Body)
				// A function that also runs while the package initializes
				// (var next = NewCounter()): the closures made by that call
				// live on, with the locals they capture.
				if at, ok := prog.initMade[funcKey(info.Defs[d.Name])]; ok {
					writes = append(writes, capturedWrites(prog, fset, info, pkg, d, "a function literal in "+fn, at)...)
				}
			case !ok || d.Body != nil:
				// Code that runs while the package initializes: only the
				// function literals in it may run later (a Build func, a
				// handler kept in a variable).
				fn = "a function literal"
				ast.Inspect(decl, func(n ast.Node) bool {
					if lit, ok := n.(*ast.FuncLit); ok {
						s.scan(lit.Body)
						return false
					}
					return true
				})
				// The locals of that code live on in the function
				// literals that capture them: a flag or a count kept
				// there is package state too.
				writes = append(writes, capturedWrites(prog, fset, info, pkg, decl, fn, token.NoPos)...)
			}
		}
		// The function literals that code run while the package
		// initializes calls through a func value: the closures they
		// make then live on, with the locals they capture.
		for lit, at := range prog.initLits {
			if within(lit.Pos(), f) {
				writes = append(writes, capturedWrites(prog, fset, info, pkg, lit, "a function literal", at)...)
			}
		}
		for _, u := range prog.unfollowed {
			if within(u.call.Pos(), f) {
				w := packageWrite{pos: fset.Position(u.call.Pos()), fn: u.fn, name: types.ExprString(u.call.Fun), at: u.call.Pos(), unfollowed: true}
				if u.at != nil {
					w.pos, w.at = fset.Position(u.at.Pos()), u.at.Pos()
					w.name = types.ExprString(u.at) + " through " + w.name
				}
				writes = append(writes, w)
			}
		}
	}
	slices.SortStableFunc(writes, func(a, b packageWrite) int {
		return cmp.Or(strings.Compare(a.pos.Filename, b.pos.Filename), cmp.Compare(a.pos.Line, b.pos.Line), cmp.Compare(a.pos.Column, b.pos.Column))
	})
	return writes
}

// capturedWrites returns the changes, in the function literals of decl
// that may run later, of the local variables that decl declares (its
// parameters too) outside them: code of decl that runs while the package
// initializes makes them, and the literals capture them. A local of a
// literal that copies one is followed as a copy of a package-level
// variable is. decl is a declaration, or a function literal that code
// run while the package initializes calls through a func value. madeBy
// is the call that runs decl then, where decl also runs later, or
// token.NoPos.
func capturedWrites(prog *program, fset *token.FileSet, info *types.Info, pkg *types.Package, decl ast.Node, fn string, madeBy token.Pos) []packageWrite {
	captured, later := initRun(prog, decl, info)
	if len(captured) == 0 {
		return nil
	}
	var writes []packageWrite
	c := &scanner{prog: prog, info: info, pkg: pkg, alias: map[*types.Var]*types.Var{}, captured: captured}
	c.found = func(e ast.Expr, how string, v *types.Var, via string) {
		w := packageWrite{pos: fset.Position(e.Pos()), fn: fn, how: how, name: v.Name(), via: via, captured: true, at: e.Pos(), madeBy: madeBy, fset: fset, shadow: c.shadow}
		writes = append(writes, w)
	}
	c.aliases(decl)
	for _, lit := range later {
		c.scan(lit.Body)
	}
	return writes
}

// initRun returns the local variables that code run while the package
// initializes declares in decl (a package-level initializer, a function
// that only initialization runs, or a function literal that it calls),
// function literals called at once included (and those given to a
// function of the packages that only calls them), and the function
// literals in decl that may run later, the outermost ones.
func initRun(prog *program, decl ast.Node, info *types.Info) (captured map[*types.Var]bool, later []*ast.FuncLit) {
	now := map[*ast.FuncLit]bool{}
	if lit, ok := decl.(*ast.FuncLit); ok {
		now[lit] = true // a literal called while the package initializes
	}
	ast.Inspect(decl, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
				now[lit] = true
			}
			// A literal given to a function of the packages that only
			// calls it runs during the call, as one called at once.
			if fn := staticCallee(info, n); fn != nil {
				for i, a := range n.Args {
					if lit, ok := ast.Unparen(a).(*ast.FuncLit); ok && prog.onlyCalled(fn, i) {
						now[lit] = true
					}
				}
			}
		case *ast.FuncLit:
			if !now[n] {
				later = append(later, n)
				return false
			}
		case *ast.Ident:
			if v, ok := info.Defs[n].(*types.Var); ok && !v.IsField() && asPackageVar(v) == nil {
				if captured == nil {
					captured = map[*types.Var]bool{}
				}
				captured[v] = true
			}
		}
		return true
	})
	return captured, later
}

// funcName names d as a reader finds it: "Write", or "(*Log).Write".
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	recv := d.Recv.List[0].Type
	star := ""
	if s, ok := recv.(*ast.StarExpr); ok {
		recv, star = s.X, "*"
	}
	if ix, ok := recv.(*ast.IndexExpr); ok {
		recv = ix.X
	}
	if ix, ok := recv.(*ast.IndexListExpr); ok {
		recv = ix.X
	}
	if id, ok := recv.(*ast.Ident); ok {
		return "(" + star + id.Name + ")." + d.Name.Name
	}
	return d.Name.Name
}

// initOnlyFuncs returns the functions that run only while the package
// initializes: its init functions, and the unexported functions (not
// methods) called only from them, from one another, and from the
// initializers of package-level variables, never taken as a value nor
// called from a function literal (a func kept in a variable, or a
// closure, may run at any time).
func initOnlyFuncs(files []*ast.File, info *types.Info) map[types.Object]bool {
	initOnly := map[types.Object]bool{}
	candidates := map[types.Object]bool{}
	refs := map[types.Object][]types.Object{} // function -> the functions calling it; nil for an initializer
	kept := map[types.Object]bool{}           // functions taken as values or called from a function literal: they may run at any time
	for _, f := range files {
		for _, decl := range f.Decls {
			var from types.Object // nil: a package-level initializer
			switch d := decl.(type) {
			case *ast.FuncDecl:
				obj := info.Defs[d.Name]
				from = obj
				switch {
				case d.Recv == nil && d.Name.Name == "init":
					initOnly[obj] = true
				case d.Recv == nil && !d.Name.IsExported():
					candidates[obj] = true
				}
			}
			called := map[*ast.Ident]bool{}
			lits := 0 // function literals around the node: code that may run later
			var visit func(n ast.Node) bool
			visit = func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					lits++
					ast.Inspect(n.Body, visit)
					lits--
					return false
				case *ast.CallExpr:
					if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
						called[id] = true
					}
				case *ast.Ident:
					if obj, ok := info.Uses[n].(*types.Func); ok {
						if !called[n] || lits > 0 {
							kept[obj] = true
						}
						refs[obj] = append(refs[obj], from)
					}
				}
				return true
			}
			ast.Inspect(decl, visit)
		}
	}
	for changed := true; changed; {
		changed = false
		for fn := range candidates {
			if initOnly[fn] || kept[fn] || len(refs[fn]) == 0 {
				continue
			}
			only := true
			for _, from := range refs[fn] {
				if from != nil && !initOnly[from] {
					only = false
					break
				}
			}
			if only {
				initOnly[fn], changed = true, true
			}
		}
	}
	return initOnly
}

// readOnly reports whether method m leaves what layer code computes as
// it was, although its receiver is a pointer: Load of sync/atomic's types
// and of sync.Map, sync.Map's Range, the methods of log.Logger (but its
// setters) and of slog.Logger, which write records, those of a compiled
// regexp.Regexp (but Longest) and of a strings.Replacer, a template's
// Execute and ExecuteTemplate, an os.File's Stat and Name, those of a
// base64 or base32 Encoding (base64.StdEncoding.EncodeToString: each
// encodes or decodes its arguments), the reads of a math/big Int (Cmp,
// Sign, Int64, Bytes...), and an Error or a String method (func()
// string), which by Go's convention only reads its receiver.
func readOnly(m types.Object) bool {
	if m.Pkg() == nil {
		return false
	}
	if f, ok := m.(*types.Func); ok && readOnlyInterface(f) {
		return true
	}
	name := m.Name()
	switch m.Pkg().Path() + "." + receiverName(m) {
	case "encoding/base64.Encoding", "encoding/base32.Encoding":
		return true
	case "math/big.Int":
		return bigIntReads[name]
	case "sync/atomic.Bool", "sync/atomic.Int32", "sync/atomic.Int64", "sync/atomic.Uint32", "sync/atomic.Uint64",
		"sync/atomic.Uintptr", "sync/atomic.Pointer", "sync/atomic.Value":
		return name == "Load"
	case "sync.Map":
		return name == "Load" || name == "Range"
	case "log.Logger":
		return !strings.HasPrefix(name, "Set")
	case "log/slog.Logger", "strings.Replacer":
		return true
	case "regexp.Regexp":
		return name != "Longest"
	case "text/template.Template", "html/template.Template":
		return name == "Execute" || name == "ExecuteTemplate"
	case "os.File":
		return name == "Stat" || name == "Name"
	}
	return false
}

// bigIntReads are the methods of a math/big Int that only read it (the
// others set it to their result, or return its words).
var bigIntReads = map[string]bool{
	"Append": true, "Bit": true, "BitLen": true, "Bytes": true, "Cmp": true, "CmpAbs": true, "FillBytes": true,
	"Float64": true, "Format": true, "Int64": true, "IsInt64": true, "IsUint64": true, "MarshalJSON": true,
	"MarshalText": true, "ProbablyPrime": true, "Sign": true, "String": true, "Text": true,
	"TrailingZeroBits": true, "Uint64": true,
}

// receiverName returns the name of the type of method m's receiver.
func receiverName(m types.Object) string {
	sig, ok := m.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return ""
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// builtinChanges say how the built-in functions that change their first
// argument change it.
var builtinChanges = map[string]string{"delete": "deletes from", "clear": "clears", "copy": "copies into", "close": "closes"}

// asPackageVar returns obj if it is a package-level variable, else nil.
func asPackageVar(obj types.Object) *types.Var {
	v, ok := obj.(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}
