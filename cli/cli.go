// Package cli is the argocheck command line over a catalogue of systems:
// list, check, shard, run PLAN, resume DIR, trace DIR, bench and version,
// with JSON and JUnit reports, pictures of violating paths, persistent
// runs and runs shared by many processes.
// The argocheck command runs it over the built-in systems; a program of
// one's own systems runs it over theirs:
//
//	func main() {
//		cat, err := catalog.New(mySystem)
//		if err != nil {
//			log.Fatal(err)
//		}
//		cli.Main(cat)
//	}
//
// Every parameter of the catalogue's systems is a flag of check and a key
// of plan lines; catalog.New refuses a parameter named as one of the
// command line's own flags or keys (catalog.ReservedNames). The exit
// statuses are the Exit constants.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore/persist"
)

// Exit statuses of Run.
const (
	// ExitVerified: the check verified, or the command did its work.
	ExitVerified = 0
	// ExitViolation: a check found a violation (run: a verdict, or a
	// violation's kind or path length, was not the expected one).
	ExitViolation = 1
	// ExitUsage: bad usage or input; nothing was run, or a search found
	// the system past argocheck's limits (model.ErrLimit) and reached no
	// verdict.
	ExitUsage = 2
	// ExitIncomplete: a bound or a signal stopped the check before its
	// verdict.
	ExitIncomplete = 3
	// ExitIO: an I/O failure before a verdict (the store, the output),
	// or layer code that ended a search's goroutine.
	ExitIO = 4
	// ExitReport: a verdict was reached and printed, but a report file
	// (or the store's record of the verdict) could not be written.
	ExitReport = 5
)

// exitStatuses describes the exit statuses for --help and README.md's
// table ("Exit status"), in order.
var exitStatuses = []struct {
	code    int
	meaning string
}{
	{ExitVerified, "verified: every check held over the whole reachable state graph, or with --crashes no-nested or between-ops over the narrowed graph only, which the verdict line marks (narrowed: ...) (other commands: done)"},
	{ExitViolation, "violation: a check failed and its shortest path is printed (run: a verdict, or a violation's kind or path length, other than the expected one)"},
	{ExitUsage, "bad usage or input, named in one line on stderr: nothing was run, or a search found the system past argocheck's limits and reached no verdict (run: after the checks before it, which the table and reports cover)"},
	{ExitIncomplete, "incomplete: a bound (--max-depth, --max-states, --time-limit, --memory) or SIGINT/SIGTERM stopped the search before a verdict"},
	{ExitIO, "an I/O failure before a verdict (the store), layer code that ended a search's goroutine (runtime.Goexit), or stdout could not be written (the report, or any command's output; a pipe whose reader has gone too), the report files being written all the same"},
	{ExitReport, "a verdict was reached and printed, but a report file (or the store's record of the verdict) could not be written"},
}

func exitHelp() string {
	var b strings.Builder
	b.WriteString("Exit status:\n")
	for _, s := range exitStatuses {
		fmt.Fprintf(&b, "  %d  %s\n", s.code, s.meaning)
	}
	return b.String()
}

// failure ends a command with an exit status, and a message when err is
// set.
type failure struct {
	code int
	err  error
}

func (f *failure) Error() string {
	if f.err == nil {
		return fmt.Sprintf("exit status %d", f.code)
	}
	return f.err.Error()
}

// exit ends a command whose output is written with status code.
func exit(code int) error {
	if code == ExitVerified {
		return nil
	}
	return &failure{code: code}
}

// usage marks bad usage or input: nothing was run, but for a search that
// found the system past argocheck's limits (searchFail).
func usage(err error) error { return &failure{ExitUsage, err} }

// usagef is usage of a formatted error.
func usagef(format string, a ...any) error { return usage(fmt.Errorf(format, a...)) }

// ioFail marks an I/O failure before a verdict.
func ioFail(err error) error { return &failure{ExitIO, err} }

// searchFail is the error of a search: bad input when the system cannot
// be checked (it does not validate, or goes past argocheck's limits),
// whether found before anything ran or partway (in a plan, after other
// checks ran: the status is the fault's, not where it comes); an I/O
// failure otherwise (the store, layer code that ended a goroutine).
func searchFail(err error) error {
	if errors.Is(err, explorer.ErrInvalid) || errors.Is(err, model.ErrLimit) {
		return usage(err)
	}
	return ioFail(err)
}

// storeFail is a store's error: bad input when the store says so, an I/O
// failure otherwise.
func storeFail(err error) error {
	if isStoreInput(err) {
		return usage(err)
	}
	return ioFail(err)
}

// isStoreInput reports whether err is a store's bad input.
func isStoreInput(err error) bool {
	_, ok := errors.AsType[*persist.InputError](err)
	return ok
}

// Main runs the command line over cat with the process's arguments and
// exits with its status.
//
// Unless GOGC says otherwise, the process collects garbage when its heap
// has grown by a quarter, not doubled: a search's heap is mostly large
// arrays without pointers (parent records, level table, frontier; the
// visited set's arrays lie outside it), cheap to collect, and the default
// would let its peak reach twice what it holds.
//
// SIGPIPE is ignored: a stdout (or stderr) that is a pipe whose reader
// has gone is output that cannot be written, which ends the command with
// ExitIO once its report files are written, not a process killed before
// it writes them.
func Main(cat *catalog.Catalog) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	signal.Ignore(syscall.SIGPIPE)
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	os.Exit(run(name, cat, os.Args[1:], os.Stdout, os.Stderr))
}

// Run runs the command line over the systems of cat with args (the
// arguments after the program's name) and returns the exit status.
func Run(cat *catalog.Catalog, args []string, stdout, stderr io.Writer) int {
	return run("argocheck", cat, args, stdout, stderr)
}

// run is Run for the program called name, the name its help and its
// errors give it.
func run(name string, cat *catalog.Catalog, args []string, stdout, stderr io.Writer) int {
	rename := strings.NewReplacer("'argocheck ", "'"+name+" ").Replace
	root, err := newRoot(cat)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	if name != "argocheck" {
		root.Use = name
		renameHelp(root, rename)
	}
	out := &stdoutWriter{w: stdout}
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(stderr)
	claim := &outputsClaim{}
	ctx := context.WithValue(context.WithValue(context.Background(), argsKey{}, args), outputsKey{}, claim)
	err = root.ExecuteContext(ctx)
	if err != nil && !claim.claimed {
		// Refused before it came to its output files: it removes what
		// an earlier run left there, as it would have before its search.
		err = withStale(err, staleOutputs(root, args))
	}
	f, ok := errors.AsType[*failure](err)
	switch {
	case out.err != nil && (!ok || f.code == ExitViolation || f.code == ExitIncomplete):
		// Output that cobra writes (help, --version) or that a command
		// prints as it goes (bench) was lost, whatever the verdict.
		f = &failure{ExitIO, fmt.Errorf("writing the output: %w", out.err)}
		err = f // its message, not that of the status the command ended with
	case err == nil:
		return ExitVerified
	case !ok:
		f = &failure{ExitUsage, oneLine(err)} // cobra's: unknown command, flag or argument
	}
	if f.err != nil {
		msg := f.err.Error()
		if ok {
			msg = err.Error() // with what wraps f, such as a plan's FILE:LINE
		}
		for line := range strings.SplitSeq(msg, "\n") {
			fmt.Fprintf(stderr, "%s: %s\n", name, rename(line))
		}
	}
	return f.code
}

// oneLine is cobra's error err as the one line on stderr that bad usage
// gets: the commands it suggests for an unknown command, which it puts
// on lines of their own after "Did you mean this?", go in parentheses
// after it; an unknown command it suggests none for is followed by where
// the commands are listed.
func oneLine(err error) error {
	head, suggested, found := strings.Cut(err.Error(), "\n\nDid you mean this?\n")
	if !found {
		if strings.HasPrefix(head, "unknown command ") {
			return fmt.Errorf("%s (see 'argocheck --help')", head)
		}
		return err
	}
	var names []string
	for _, line := range strings.Split(suggested, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			names = append(names, line)
		}
	}
	return fmt.Errorf("%s (did you mean %s?)", head, strings.Join(names, " or "))
}

// withStale is err, the error of a command refused before it came to its
// output files, once stale (staleOutputs) has removed what an earlier run
// left there, with the removals that failed named after it.
func withStale(err error, stale []output) error {
	var errs []error
	for _, o := range stale {
		if rerr := o.save(); rerr != nil {
			errs = append(errs, fmt.Errorf("could not remove what an earlier run left at %s: %v", o.name, cause(rerr)))
		}
	}
	if len(errs) == 0 {
		return err
	}
	return withSearchError(err, errors.Join(errs...))
}

// stdoutWriter is the commands' stdout, which remembers its first write
// error: a command whose output was lost ends with ExitIO, whoever wrote
// it.
type stdoutWriter struct {
	w   io.Writer
	err error
}

func (o *stdoutWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// renameHelp applies rename to the help texts of cmd and its commands
// and flags, which name the program in examples.
func renameHelp(cmd *cobra.Command, rename func(string) string) {
	cmd.Short, cmd.Long, cmd.Example = rename(cmd.Short), rename(cmd.Long), rename(cmd.Example)
	for _, fl := range []*pflag.FlagSet{cmd.LocalFlags(), cmd.PersistentFlags()} {
		fl.VisitAll(func(f *pflag.Flag) { f.Usage = rename(f.Usage) })
	}
	for _, c := range cmd.Commands() {
		renameHelp(c, rename)
	}
}

func newRoot(cat *catalog.Catalog) (*cobra.Command, error) {
	root := &cobra.Command{
		Use:   "argocheck",
		Short: "Model checker for crash-safe layered storage systems (recovery refinement)",
		Long: `argocheck explores every sequence of operations, disk failures, crashes and
crashes during recovery of a layered storage system over small disks, and
checks at every reachable point that the implementation refines its
specification.

` + exitHelp(),
		Version:       buildVersion().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate(versionTemplate)
	check, err := newCheck(cat)
	if err != nil {
		return nil, err
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if msg, ok := emptyValue(err); ok {
			return usagef("%s", msg)
		}
		if name, msg, ok := badValue(err); ok {
			return usagef("--%s: %s", name, msg)
		}
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok && cmd != cmd.Root() && check.Flags().Lookup(name) != nil {
			_, stored := cmd.Annotations[storeArgAnnotation]
			_, planned := cmd.Annotations[planArgAnnotation]
			switch {
			case stored:
				return usagef("--%s is a flag of check: %s takes the check's settings from its store (a check with other settings needs a store of its own)", name, cmd.Name())
			case planned && (name == "variant" || someSystemTakes(cat, name)):
				value := "VALUE"
				if name == "variant" {
					value = "NAME"
				}
				return usagef("--%s is a flag of check: a plan sets it on each line, as %s=%s", name, name, value)
			default:
				return usagef("--%s is a flag of check, not of %s (see 'argocheck %s --help')", name, cmd.Name(), cmd.Name())
			}
		}
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
			if near := nearestFlag(cmd, name); near != "" {
				return usagef("unknown flag: --%s (did you mean --%s?)", name, near)
			}
		}
		return usage(err)
	})
	sharded, err := newShard(cat)
	if err != nil {
		return nil, err
	}
	root.AddCommand(newList(cat), check, sharded, newRun(cat), newBench(cat), newResume(cat), newTrace(cat), newVersion())
	strictHelp(root)
	strictCompletion(root)
	return root, nil
}

// strictCompletion makes 'completion SHELL' of no shell it knows bad
// usage (ExitUsage, one line on stderr naming the shells): cobra's own
// completion command prints its usage for it and succeeds.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" || c.Runnable() {
			continue
		}
		var shells []string
		for _, sh := range c.Commands() {
			shells = append(shells, sh.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("completion takes a shell (%s), not %q", strings.Join(shells, ", "), args[0])
			}
			return cmd.Help()
		}
	}
}

// strictHelp makes 'help TOPIC' of no command bad usage (ExitUsage, one
// line on stderr), as an unknown command is: cobra's own help command
// prints the usage for it and succeeds.
func strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" || c.Run == nil {
			continue
		}
		show := c.Run
		c.Run = nil
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if topic, _, err := cmd.Root().Find(args); topic == nil || err != nil {
				return usagef("unknown help topic %q (see 'argocheck --help')", strings.Join(args, " "))
			}
			show(cmd, args)
			return nil
		}
	}
}

// oneArg accepts exactly one positional argument, what, as a usage error
// otherwise, or if it is empty ("$DIR" of a variable not set).
func oneArg(command, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) != 1:
			return usagef("%s takes %s, got %d arguments%s", command, what, len(args), valueAfterBool(cmd, args))
		case args[0] == "":
			return usagef("%s takes %s, got an empty argument", command, what)
		}
		return nil
	}
}

// noArgs accepts no positional argument, as a usage error otherwise.
func noArgs(command string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments, got %d%s", command, len(args), valueAfterBool(cmd, args))
		}
		return nil
	}
}

// argsKey is the context key of the command line's arguments, which
// valueAfterBool reads.
type argsKey struct{}

// valueAfterBool explains a positional argument of args that follows a
// true-or-false flag on the command line, as maybe in --oob maybe: such a
// flag takes a value only after "=", so the word after it is an argument.
// It returns "" when no argument follows one.
func valueAfterBool(cmd *cobra.Command, args []string) string {
	line, _ := cmd.Context().Value(argsKey{}).([]string)
	for i, word := range line[:max(len(line)-1, 0)] {
		if word == "--" {
			break
		}
		var f *pflag.Flag
		switch {
		case strings.HasPrefix(word, "--") && !strings.Contains(word, "="):
			f = cmd.Flags().Lookup(word[2:])
		case len(word) == 2 && word[0] == '-':
			f = cmd.Flags().ShorthandLookup(word[1:])
		}
		next := line[i+1]
		if f == nil || f.NoOptDefVal == "" || f.Value.Type() != "bool" || !slices.Contains(args, next) {
			continue
		}
		// The flag as typed: --quiet or -q, which pflag reads as -q=false
		// too.
		write := fmt.Sprintf("%s=true or %s=false", word, word)
		if b, err := strconv.ParseBool(next); err == nil {
			write = fmt.Sprintf("%s=%t", word, b)
		}
		return fmt.Sprintf(": %q follows %s, which takes no separate value (write %s)", next, word, write)
	}
	return ""
}

// withValueAfterBool adds to err, which refuses the positional argument
// arg, valueAfterBool's explanation where arg is true or false (as
// strconv.ParseBool reads it) and follows a true-or-false flag: check
// --oob false reads "false" as its SYSTEM. Another word there (check
// --oob repdsk) is more likely a mistyped argument than a flag's value.
func withValueAfterBool(cmd *cobra.Command, arg string, err error) error {
	if _, notBool := strconv.ParseBool(arg); notBool != nil {
		return err
	}
	if hint := valueAfterBool(cmd, []string{arg}); hint != "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return err
}

// nearestFlag returns the name of cmd's flag nearest to name, as a
// misspelling or a word's other number ("value" for "values"): within two
// edits, or with name as its start. It returns "" where none is near, or
// where two are equally near.
func nearestFlag(cmd *cobra.Command, name string) string {
	best, bestDist, tie := "", 3, false
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(name, f.Name)
		if d > 2 && !strings.HasPrefix(f.Name, name) {
			return
		}
		d = min(d, 2)
		switch {
		case d < bestDist:
			best, bestDist, tie = f.Name, d, false
		case d == bestDist:
			tie = true
		}
	})
	if tie {
		return ""
	}
	return best
}

// editDistance returns the number of single-byte insertions, deletions
// and substitutions that turn a into b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
