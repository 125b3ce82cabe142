package checktest

import (
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
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
// takes it), a method with a pointer receiver called on it or on the
// pointer it holds (mu.Lock(), once.Do, cache.Put; not the reads of
// sync/atomic's types, of a sync.Map, a compiled regexp.Regexp, a
// strings.Replacer or a template, nor the records that a log.Logger or
// slog.Logger writes), delete, clear,
// copy or close of it, and a send or a receive on it. Not seen: a method
// called through an interface that the variable holds, and a change made
// through a copy of its pointer, map or slice held elsewhere (p := v.ptr,
// then p.n++). Test files are not checked.
func NoPackageState(t testing.TB, patterns ...string) {
	t.Helper()
	if len(patterns) == 0 {
		t.Fatalf(`checktest.NoPackageState: no package named (give "." for the test's own)`)
	}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo
	pkgs, err := packages.Load(&packages.Config{Mode: mode}, patterns...)
	if err != nil {
		t.Fatalf("checktest.NoPackageState: loading %s: %v", strings.Join(patterns, " "), err)
	}
	if len(pkgs) == 0 {
		t.Fatalf("checktest.NoPackageState: no package matches %s", strings.Join(patterns, " "))
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("checktest.NoPackageState: package %s: %v", p.PkgPath, e)
		}
	}
	wd, _ := os.Getwd()
	for _, p := range pkgs {
		for _, w := range packageWrites(p.Fset, p.Syntax, p.TypesInfo, p.Types) {
			t.Errorf("%s:%d:%d: %s %s package-level variable %s: state that argocheck's search does not see (keep it in the lower layer, or build it in Impl)",
				shortPath(wd, w.pos.Filename), w.pos.Line, w.pos.Column, w.fn, w.how, w.name)
		}
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
}

// packageWrites returns the changes of package-level variables in files,
// the code of package pkg, in the order of the source.
func packageWrites(fset *token.FileSet, files []*ast.File, info *types.Info, pkg *types.Package) []packageWrite {
	initOnly := initOnlyFuncs(files, info)
	w := writeFinder{fset: fset, info: info, pkg: pkg}
	for _, f := range files {
		for _, decl := range f.Decls {
			d, ok := decl.(*ast.FuncDecl)
			switch {
			case ok && d.Body != nil && !initOnly[info.Defs[d.Name]]:
				w.body(funcName(d), d.Body)
			case !ok || d.Body != nil:
				// Code that runs while the package initializes: only the
				// function literals in it may run later (a Build func, a
				// handler kept in a variable).
				ast.Inspect(decl, func(n ast.Node) bool {
					if lit, ok := n.(*ast.FuncLit); ok {
						w.body("a function literal", lit.Body)
						return false
					}
					return true
				})
			}
		}
	}
	return w.writes
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

// writeFinder collects the changes of package-level variables in the
// code of package pkg.
type writeFinder struct {
	fset   *token.FileSet
	info   *types.Info
	pkg    *types.Package
	writes []packageWrite
}

// note records e as changed, in the way how, by the code of fn, if it is
// or reaches a package-level variable.
func (w *writeFinder) note(fn string, e ast.Expr, how string) {
	v := packageVar(w.info, e)
	if v == nil {
		return
	}
	name := v.Name()
	if v.Pkg() != w.pkg {
		name = v.Pkg().Name() + "." + name
	}
	w.writes = append(w.writes, packageWrite{pos: w.fset.Position(e.Pos()), fn: fn, how: how, name: name})
}

// body records the changes in body, the code of fn, function literals in
// it included.
func (w *writeFinder) body(fn string, body *ast.BlockStmt) {
	note := func(e ast.Expr, how string) { w.note(fn, e, how) }
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, lhs := range n.Lhs {
					note(lhs, "assigns")
				}
			}
		case *ast.IncDecStmt:
			note(n.X, "assigns")
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if e != nil {
						note(e, "assigns")
					}
				}
			}
		case *ast.UnaryExpr:
			switch n.Op {
			case token.AND:
				note(n.X, "takes the address of")
			case token.ARROW:
				note(n.X, "receives from")
			}
		case *ast.SendStmt:
			note(n.Chan, "sends on")
		case *ast.CallExpr:
			noteCall(w.info, n, note)
		}
		return true
	})
}

// noteCall notes the package-level variable that call may change: the
// receiver of a method with a pointer receiver (called on the variable,
// whose address Go takes, or on the pointer it holds), or the first
// argument of delete, clear, copy or close.
func noteCall(info *types.Info, call *ast.CallExpr, note func(ast.Expr, string)) {
	fun := ast.Unparen(call.Fun)
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s, ok := info.Selections[sel]; ok && s.Kind() == types.MethodVal {
			sig := s.Obj().Type().(*types.Signature)
			_, ptrRecv := sig.Recv().Type().Underlying().(*types.Pointer)
			if ptrRecv && !readOnly(s.Obj()) {
				note(sel.X, "calls the pointer method "+sel.Sel.Name+" on")
			}
		}
		return
	}
	id, ok := fun.(*ast.Ident)
	if !ok || len(call.Args) == 0 {
		return
	}
	if b, ok := info.Uses[id].(*types.Builtin); ok {
		if how, ok := builtinChanges[b.Name()]; ok {
			note(call.Args[0], how)
		}
	}
}

// readOnly reports whether method m leaves what layer code computes as
// it was, although its receiver is a pointer: Load of sync/atomic's types
// and of sync.Map, sync.Map's Range, the methods of log.Logger (but its
// setters) and of slog.Logger, which write records, those of a compiled
// regexp.Regexp (but Longest) and of a strings.Replacer, and a template's
// Execute and ExecuteTemplate.
func readOnly(m types.Object) bool {
	if m.Pkg() == nil {
		return false
	}
	name := m.Name()
	switch m.Pkg().Path() + "." + receiverName(m) {
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
	}
	return false
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

// packageVar returns the package-level variable that e is, or that e
// reaches (through fields, elements, slices, pointers and type
// assertions), or nil.
func packageVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return asPackageVar(info.Uses[x])
		case *ast.SelectorExpr:
			if v := asPackageVar(info.Uses[x.Sel]); v != nil {
				return v // pkg.Var
			}
			if _, ok := info.Selections[x]; !ok {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.SliceExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.TypeAssertExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// asPackageVar returns obj if it is a package-level variable, else nil.
func asPackageVar(obj types.Object) *types.Var {
	v, ok := obj.(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}
