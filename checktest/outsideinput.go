package checktest

import (
	"bytes"
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"slices"
	"strings"
	"testing"
)

// NoOutsideInput fails t for each place where the code of the packages
// that patterns name (as the go command names them) reads an input that
// argocheck's search does not choose: the clock, a timer, randomness, the
// process's environment, the file system, or a select's pick. The search
// explores every operation, failure and crash, and every choice the lower
// layer offers, but a procedure that decides by such an input takes, in
// each run of the search, the one course that the search's own timing,
// this process's environment or one draw gives it: a bug on another
// course (a flush skipped once a second has passed, a retry after a
// random back-off, a mode set from an environment variable) verifies. The
// determinism checks do not see it either: the decision is the same in
// both runs compared, and a timer's callback runs outside every run. Make
// the decision an operation of the layer (a tick op that the search
// runs), a choice the lower layer offers (the search explores each), or a
// parameter fixed at Impl (checked for each value).
//
// Each place is named on a line of its own, as file:line:col: the
// function, what it reads, why it matters and what to do instead. Named
// are the uses (a call, a function taken as a value, a variable read) of:
//
//   - the clock: time.Now, time.Since, time.Until;
//   - timers: time.After, AfterFunc, NewTimer, NewTicker, Tick, and
//     context.WithTimeout and WithDeadline (their Cause forms too), whose
//     work runs when the clock says;
//   - time.Sleep: a sleep decides nothing by itself, but it waits for
//     something that runs on its own clock (a goroutine, a timer, another
//     process), whose outcome decides instead; one that waits for nothing
//     only slows every step explored;
//   - randomness: the functions of math/rand and math/rand/v2 that draw
//     from the generator the process shares (rand.Intn, rand.N,
//     rand.Shuffle...), all of crypto/rand (rand.Reader too); a source
//     seeded by a value that is not a constant, nor a composite literal
//     of constants (rand.NewSource(seed), rand.NewPCG, rand.NewChaCha8);
//     and rand.New of a source that is neither such a constructor's
//     result nor a zero &rand.PCG{} or &rand.ChaCha8{}, directly or
//     through a local variable given no other value. A generator that
//     Impl builds from a source seeded by constants draws the same
//     numbers in every run, and passes: rand.New(rand.NewSource(1)), and
//     its methods (r.Intn);
//   - the environment and the process: os.Getenv, LookupEnv, Environ,
//     ExpandEnv, os.Args, os.Getpid and the other ids, os.Hostname,
//     os.Executable, os.Getwd, the user's and the temporary directories,
//     syscall's Getenv and Environ, runtime.NumCPU, NumGoroutine,
//     GOMAXPROCS, NumCgoCall and ReadMemStats, runtime/metrics.Read;
//   - the file system: os.ReadFile, Open, OpenFile, Stat, Lstat, ReadDir,
//     Readlink, DirFS, OpenRoot, OpenInRoot, io/ioutil's ReadFile and
//     ReadDir (NoPackageState names the calls that change it);
//   - a select statement with two communication cases or more, or with a
//     default and one case or more: Go picks among the ready cases at
//     random, and which are ready is the scheduler's doing. A select of
//     one case and no default only waits, and passes.
//
// All of a package's code is read: functions, methods, function literals,
// init and the initializers of package-level variables (var debug =
// os.Getenv("DEBUG") != "" sets a mode for the whole process). Test
// files are not: as with NoPackageState, a package whose only Go files
// are test files fails t, unless a pattern has a "..." wildcard, and
// then is logged.
//
// A line that an author has reviewed (a log record with a timestamp) is
// marked with a line comment //argocheck:outside-input-ok followed by the
// reason, at the end of the line or alone on the line before it: what
// that line reads is not named. A marker that gives no reason is named
// (and excuses nothing), as is one that excuses nothing on its line.
//
// Not seen: a method of a value that one of these functions returned (a
// Timer's Reset, a Rand's Intn: the function is named), the functions of
// other packages that read such inputs for the code (a logger that
// stamps the time, a library that retries), goroutines and the order in
// which they run, the order of a range loop over a map (which Go varies
// from run to run, where the compared runs may see it), and reads made
// through reflect or unsafe.
func NoOutsideInput(t testing.TB, patterns ...string) {
	t.Helper()
	pkgs := load(t, "NoOutsideInput", patterns)
	wd, _ := os.Getwd()
	var found []outsideRead
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			found = append(found, fileReads(p.Fset, f, p.TypesInfo)...)
		}
	}
	slices.SortStableFunc(found, func(a, b outsideRead) int {
		return cmp.Or(strings.Compare(a.pos.Filename, b.pos.Filename), cmp.Compare(a.pos.Line, b.pos.Line), cmp.Compare(a.pos.Column, b.pos.Column))
	})
	for _, r := range found {
		t.Errorf("%s:%d:%d: %s", shortPath(wd, r.pos.Filename), r.pos.Line, r.pos.Column, r.text)
	}
}

// outsideRead is one place that reads an input the search does not
// choose, or a marker that is wrong.
type outsideRead struct {
	pos  token.Position
	text string // the function, what it reads, why and what to do instead
}

// An inputKind says what a read of one kind reads, why it matters, and
// what to do instead.
type inputKind struct{ what, why, instead string }

// The kinds of input, as the messages give them.
var (
	clockInput = inputKind{"which reads the clock",
		"the search explores only the course that its own timing takes, and a bug on the other course verifies",
		"make the decision an operation of the layer (a tick op), a choice the lower layer offers, or a duration fixed at Impl"}
	timerInput = inputKind{"which starts a timer",
		"its work runs when the clock says, not when the search chooses, along the one course the search's timing takes, and outside every run the checks compare",
		"make the timed work an operation of the layer (a tick op), or a choice the lower layer offers"}
	sleepInput = inputKind{"which sleeps",
		"a sleep waits for something that runs on its own clock (a goroutine, a timer), whose outcome the search does not choose, or for nothing, slowing every step explored",
		"make what it waits for an operation of the layer or a choice the lower layer offers"}
	randomInput = inputKind{"which draws at random",
		"the search explores one draw, not each: a bug on another draw verifies",
		"make it a choice the lower layer offers (the search explores each), or draw from a generator seeded by a constant, built in Impl"}
	seedInput = inputKind{"with a seed that is not a constant",
		"the generator draws differently from run to run, and the search explores one draw, not each",
		"seed it by a constant in Impl, or make the draw a choice the lower layer offers"}
	envInput = inputKind{"which reads the process's environment",
		"the search explores the one value this process has, and a bug under another value verifies",
		"make it a parameter fixed at Impl, and check each value"}
	processInput = inputKind{"which reads the process or the machine it runs on",
		"the search explores the one value this process has, and a bug under another value verifies",
		"make it a parameter fixed at Impl, and check each value"}
	fileInput = inputKind{"which reads the file system",
		"the search explores the files as this machine holds them, which no operation of the search writes and no crash changes",
		"keep what it reads in the lower layer, or make it a parameter fixed at Impl"}
	selectInput = inputKind{"",
		"Go picks among the ready cases at random, and which are ready is the scheduler's doing: the search explores one pick",
		"make the choice an operation of the layer, or a choice the lower layer offers"}
)

// outsideInputs maps the functions and variables of the standard library
// that read an input the search does not choose, as "path.Name", to the
// kind of input. math/rand's and math/rand/v2's are in randomDraw.
var outsideInputs = map[string]inputKind{
	"time.Now": clockInput, "time.Since": clockInput, "time.Until": clockInput,

	"time.After": timerInput, "time.AfterFunc": timerInput, "time.NewTimer": timerInput,
	"time.NewTicker": timerInput, "time.Tick": timerInput,
	"context.WithTimeout": timerInput, "context.WithDeadline": timerInput,
	"context.WithTimeoutCause": timerInput, "context.WithDeadlineCause": timerInput,

	"time.Sleep": sleepInput,

	"crypto/rand.Read": randomInput, "crypto/rand.Int": randomInput, "crypto/rand.Prime": randomInput,
	"crypto/rand.Text": randomInput, "crypto/rand.Reader": randomInput,

	"os.Getenv": envInput, "os.LookupEnv": envInput, "os.Environ": envInput, "os.ExpandEnv": envInput,
	"syscall.Getenv": envInput, "syscall.Environ": envInput,

	"os.Args": processInput, "os.Getpid": processInput, "os.Getppid": processInput, "os.Getuid": processInput,
	"os.Geteuid": processInput, "os.Getgid": processInput, "os.Getegid": processInput, "os.Getgroups": processInput,
	"os.Getpagesize": processInput, "os.Hostname": processInput, "os.Executable": processInput,
	"os.Getwd": processInput, "os.UserHomeDir": processInput, "os.UserCacheDir": processInput,
	"os.UserConfigDir": processInput, "os.TempDir": processInput,
	"runtime.NumCPU": processInput, "runtime.NumGoroutine": processInput, "runtime.GOMAXPROCS": processInput,
	"runtime.NumCgoCall": processInput, "runtime.ReadMemStats": processInput, "runtime/metrics.Read": processInput,

	"os.ReadFile": fileInput, "os.Open": fileInput, "os.OpenFile": fileInput, "os.Stat": fileInput,
	"os.Lstat": fileInput, "os.ReadDir": fileInput, "os.Readlink": fileInput, "os.DirFS": fileInput,
	"os.OpenRoot": fileInput, "os.OpenInRoot": fileInput,
	"io/ioutil.ReadFile": fileInput, "io/ioutil.ReadDir": fileInput,
}

// randPackages are the packages whose package-level functions draw from
// a generator shared by the process, seeded at random, but the
// constructors (randBuilders).
var randPackages = map[string]bool{"math/rand": true, "math/rand/v2": true}

// randBuilders are the functions of math/rand and math/rand/v2 that draw
// nothing themselves: New builds a generator from a source, the sources'
// constructors take seeds, and NewZipf draws from the generator given.
var randBuilders = map[string]bool{"New": true, "NewSource": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true}

// outsideMarker is the line comment that excuses the reads of a line,
// followed by the reason.
const outsideMarker = "//argocheck:outside-input-ok"

// fileReads returns the places in file f that read an input the search
// does not choose, but those a marker excuses, and the markers that are
// wrong, in no order.
func fileReads(fset *token.FileSet, f *ast.File, info *types.Info) []outsideRead {
	var reads []outsideRead
	for _, decl := range f.Decls {
		fn := ""
		switch d := decl.(type) {
		case *ast.FuncDecl:
			fn = funcName(d)
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			var names []string
			for _, spec := range d.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					names = append(names, n.Name)
				}
			}
			fn = "the initializer of " + strings.Join(names, ", ")
		}
		r := &inputReader{info: info, fn: fn, seeds: sourceLocals(decl, info), called: map[*ast.Ident]bool{}}
		ast.Inspect(decl, r.visit)
		for _, x := range r.found {
			reads = append(reads, outsideRead{pos: fset.Position(x.at), text: x.text})
		}
	}
	return excuseMarked(fset, f, reads)
}

// inputReader finds the reads in the code of one declaration.
type inputReader struct {
	info   *types.Info
	fn     string
	seeds  map[*types.Var]bool // locals given only constructors' sources (sourceLocals)
	called map[*ast.Ident]bool // the names called, not taken as values
	found  []struct {
		at   token.Pos
		text string
	}
}

// report names a read at at, of the function r reads.
func (r *inputReader) report(at token.Pos, format string, args ...any) {
	r.found = append(r.found, struct {
		at   token.Pos
		text string
	}{at, r.fn + " " + fmt.Sprintf(format, args...)})
}

// visit reports the reads at n, for ast.Inspect.
func (r *inputReader) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.CallExpr:
		if id := calleeName(n.Fun); id != nil {
			r.called[id] = true
			if obj := r.info.Uses[id]; obj != nil && obj.Pkg() != nil && randPackages[obj.Pkg().Path()] {
				r.randBuilder(n, obj)
			}
		}
	case *ast.SelectStmt:
		comms, dflt := 0, false
		for _, c := range n.Body.List {
			if c.(*ast.CommClause).Comm == nil {
				dflt = true
			} else {
				comms++
			}
		}
		switch {
		case comms >= 2 && dflt:
			r.report(n.Pos(), "selects among %d communications and a default (%s; %s)", comms, selectInput.why, selectInput.instead)
		case comms >= 2:
			r.report(n.Pos(), "selects among %d communications (%s; %s)", comms, selectInput.why, selectInput.instead)
		case dflt && comms == 1:
			r.report(n.Pos(), "selects between a communication and a default (%s; %s)", selectInput.why, selectInput.instead)
		}
	case *ast.Ident:
		obj := r.info.Uses[n]
		if obj == nil || obj.Pkg() == nil || obj.Parent() != obj.Pkg().Scope() {
			return true
		}
		name := obj.Pkg().Path() + "." + obj.Name()
		kind, ok := outsideInputs[name]
		if !ok && randPackages[obj.Pkg().Path()] && !randBuilders[obj.Name()] {
			if _, isFunc := obj.(*types.Func); isFunc {
				kind, ok = randomInput, true
			}
		}
		if !ok {
			return true
		}
		use := "uses " + qualified(obj)
		switch {
		case r.called[n]:
			use = "calls " + qualified(obj)
		case isFunc(obj):
			use = "takes " + qualified(obj) + " as a value"
		}
		r.report(n.Pos(), "%s, %s (%s; %s)", use, kind.what, kind.why, kind.instead)
	}
	return true
}

// qualified names obj, of the standard library, by its package's path:
// time.Now, math/rand/v2.N, crypto/rand.Read.
func qualified(obj types.Object) string {
	return obj.Pkg().Path() + "." + obj.Name()
}

// isFunc reports whether obj is a function.
func isFunc(obj types.Object) bool {
	_, ok := obj.(*types.Func)
	return ok
}

// calleeName returns the name that the function expression fun of a call
// ends with (f, pkg.F, x.M, rand.N[int]), or nil.
func calleeName(fun ast.Expr) *ast.Ident {
	fun = ast.Unparen(fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		return f
	case *ast.SelectorExpr:
		return f.Sel
	}
	return nil
}

// randBuilder names call, of fn, a constructor of math/rand or
// math/rand/v2, when it seeds a source by a value that is not a
// constant, or builds a generator from a source that is not a
// constructor's result.
func (r *inputReader) randBuilder(call *ast.CallExpr, fn types.Object) {
	shown := qualified(fn)
	switch fn.Name() {
	case "NewSource", "NewPCG", "NewChaCha8":
		for _, a := range call.Args {
			if !r.constant(a) {
				r.report(call.Pos(), "calls %s %s (%s; %s)", shown, seedInput.what, seedInput.why, seedInput.instead)
				return
			}
		}
	case "New":
		if len(call.Args) == 1 && !r.seededSource(call.Args[0]) {
			r.report(call.Pos(), "calls %s with a source that is not seeded by a constant here (%s; %s)", shown, seedInput.why, seedInput.instead)
		}
	}
}

// constant reports whether e is a constant, or a composite literal of
// constants ([32]byte{1, 2}).
func (r *inputReader) constant(e ast.Expr) bool {
	e = ast.Unparen(e)
	if tv, ok := r.info.Types[e]; ok && tv.Value != nil {
		return true
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return false
	}
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			el = kv.Value
		}
		if !r.constant(el) {
			return false
		}
	}
	return true
}

// seededSource reports whether e, the source given to rand.New, is the
// result of a source's constructor (judged where it is called), directly
// or through a local variable given no other value.
func (r *inputReader) seededSource(e ast.Expr) bool {
	e = ast.Unparen(e)
	if id, ok := e.(*ast.Ident); ok {
		v, ok := r.info.Uses[id].(*types.Var)
		return ok && r.seeds[v]
	}
	return isSourceBuilder(e, r.info)
}

// isSourceBuilder reports whether e calls the constructor of a source of
// math/rand or math/rand/v2, or takes the address of a zero PCG or
// ChaCha8 of math/rand/v2 (&rand.PCG{}, seeded by zeros).
func isSourceBuilder(e ast.Expr, info *types.Info) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		if lit, ok := ast.Unparen(u.X).(*ast.CompositeLit); ok {
			tv := info.Types[lit]
			if n, ok := tv.Type.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "math/rand/v2" {
				return len(lit.Elts) == 0 && (n.Obj().Name() == "PCG" || n.Obj().Name() == "ChaCha8")
			}
		}
		return false
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	id := calleeName(call.Fun)
	if id == nil {
		return false
	}
	obj := info.Uses[id]
	if obj == nil || obj.Pkg() == nil || !randPackages[obj.Pkg().Path()] {
		return false
	}
	switch obj.Name() {
	case "NewSource", "NewPCG", "NewChaCha8":
		return true
	}
	return false
}

// sourceLocals returns the local variables of decl whose every value is
// the result of a source's constructor (src := rand.NewSource(1)).
func sourceLocals(decl ast.Decl, info *types.Info) map[*types.Var]bool {
	seeds := map[*types.Var]bool{}
	other := map[*types.Var]bool{}
	given := func(lhs ast.Expr, rhs ast.Expr) {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			return
		}
		obj := info.Defs[id]
		if obj == nil {
			obj = info.Uses[id]
		}
		v, ok := obj.(*types.Var)
		if !ok || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() {
			return
		}
		if rhs != nil && isSourceBuilder(rhs, info) {
			seeds[v] = true
		} else {
			other[v] = true
		}
	}
	ast.Inspect(decl, func(n ast.Node) bool {
		if n, ok := n.(*ast.ValueSpec); ok && len(n.Values) == 0 {
			for _, l := range n.Names {
				given(l, nil) // declared zero, given its source later
			}
		}
		return true
	})
	eachAssignment(decl, given)
	for v := range other {
		delete(seeds, v)
	}
	return seeds
}

// excuseMarked returns reads, of file f, less those on a line that a
// marker with a reason excuses, with the markers that give no reason and
// those that excuse nothing. A marker at the end of a line excuses that
// line; one alone on its line, the next.
func excuseMarked(fset *token.FileSet, f *ast.File, reads []outsideRead) []outsideRead {
	type marker struct {
		pos    token.Position
		reason bool
		used   bool
	}
	var src []byte
	markers := map[int]*marker{} // by the line it excuses
	var all []*marker
	for _, g := range f.Comments {
		for _, c := range g.List {
			rest, ok := strings.CutPrefix(c.Text, outsideMarker)
			if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
				continue
			}
			pos := fset.Position(c.Slash)
			if src == nil {
				src, _ = os.ReadFile(pos.Filename)
			}
			m := &marker{pos: pos, reason: strings.TrimSpace(rest) != ""}
			all = append(all, m)
			line := pos.Line
			if aloneOnLine(src, pos.Offset) {
				line++
			}
			markers[line] = m
		}
	}
	var out []outsideRead
	for _, r := range reads {
		if m := markers[r.pos.Line]; m != nil && m.reason {
			m.used = true
			continue
		}
		out = append(out, r)
	}
	for _, m := range all {
		switch {
		case !m.reason:
			out = append(out, outsideRead{pos: m.pos, text: "the marker " + outsideMarker + " gives no reason, and excuses nothing (say, after it, why what the line reads cannot change what the search explores)"})
		case !m.used:
			out = append(out, outsideRead{pos: m.pos, text: "the marker " + outsideMarker + " excuses nothing: no input is read on the line it marks (its own, or the next when it stands alone; remove it, or move it to the line)"})
		}
	}
	return out
}

// aloneOnLine reports whether only blanks precede offset on its line of
// src.
func aloneOnLine(src []byte, offset int) bool {
	if offset > len(src) {
		return false
	}
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	return len(bytes.TrimSpace(src[start:offset])) == 0
}
