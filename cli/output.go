package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/shard"
	"github.com/argocheck/argocheck/viz"
)

// A command prints its verdict first, on stdout, and writes its report
// files after it, so that no failure to write a file can lose the
// verdict; they are written when stdout fails too. Every file's path is
// checked before the search starts.

// textReport is a report that prints as a summary for a person, or as
// JSON.
type textReport interface {
	writeText(w io.Writer)
}

// printReport prints r on w as one write: its summary, or its JSON.
func printReport(w io.Writer, r textReport, asJSON bool) error {
	var buf bytes.Buffer
	if asJSON {
		if err := encodeJSON(&buf, r); err != nil {
			return ioFail(err)
		}
	} else {
		r.writeText(&buf)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return ioFail(fmt.Errorf("printing the report: %w", err))
	}
	return nil
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// output is something written after the verdict is printed: a report
// file, or the store's record of the verdict.
type output struct {
	name string // what it is, as the command line named it
	save func() error
}

// fileOutput is the output of the file at path (named by flag), written
// in one piece by render; none when path is empty.
func fileOutput(flag, path string, render func(io.Writer) error) []output {
	return renderedOutput(flag, path, writeOutput, render)
}

// newFileOutput is fileOutput written only where there is no file
// (writeNewOutput).
func newFileOutput(flag, path string, render func(io.Writer) error) []output {
	return renderedOutput(flag, path, writeNewOutput, render)
}

// renderedOutput is the output of the file at path (named by flag) that
// render makes in one piece and write writes; none when path is empty.
func renderedOutput(flag, path string, write func(path string, data []byte) error, render func(io.Writer) error) []output {
	if path == "" {
		return nil
	}
	return []output{{name: "--" + flag + " " + path, save: func() error {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			return err
		}
		return write(path, buf.Bytes())
	}}}
}

// writeNewOutput writes data to the file at path as writeOutput does, but
// leaves a regular file that holds anything as it is: a report that
// another process wrote there, which it takes for its own. A new file is
// written whole to a new file beside it, then linked at path, which fails
// when a file has come there meanwhile, so that it never replaces one; a
// directory that takes no new file takes none. An empty file (what
// removeOrEmpty leaves in such a directory) is written in place.
func writeNewOutput(path string, data []byte) error {
	fi, done, err := writeSpecial(path, data)
	switch {
	case done || err != nil:
		return err
	case fi != nil && fi.Size() > 0:
		return nil
	case fi != nil:
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return cause(err)
		}
		_, err = fh.Write(data)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		return cause(err)
	}
	path = newTarget(path)
	tmp, err := createSibling(path)
	if err != nil {
		return cause(err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
			err = nil
		}
	}
	os.Remove(tmp.Name())
	if err != nil {
		return cause(err)
	}
	removeLeftSiblings(path)
	return nil
}

// writeOutput writes data to the file at path, or, when path names the
// file that stdout or stderr already writes to (/dev/stdout, a
// redirection's file), through that stream: opening it again would
// truncate what was written there, the verdict among it.
//
// A regular file, or a new one, is replaced whole (replaceFile), so that
// a process ended while writing it (a signal, a full disk) leaves no half
// of a report at path. Anything else (a device such as /dev/null, a FIFO)
// is written in place, as is a file whose directory takes no new file.
func writeOutput(path string, data []byte) error {
	fi, done, err := writeSpecial(path, data)
	switch {
	case done || err != nil:
		return err
	case fi != nil:
		// Through a symbolic link, the file it names is replaced, and
		// the link kept.
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
	default:
		// A symbolic link to a file not made yet makes that file, and
		// is kept.
		path = newTarget(path)
	}
	err = replaceFile(path, data, fi)
	if errors.Is(err, errNoTemp) {
		return os.WriteFile(path, data, 0o644)
	}
	return err
}

// writeSpecial writes data, in place, where path is the file that stdout
// or stderr writes to (through that stream) or is not a regular file (a
// device such as /dev/null, a FIFO), and says it did (done). Otherwise it
// returns the regular file's information, nil where there is none, or
// the error of looking.
func writeSpecial(path string, data []byte) (fi os.FileInfo, done bool, err error) {
	if std := stdStream(path); std != nil {
		_, err := std.Write(data)
		return nil, true, err
	}
	fi, err = os.Stat(path)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return nil, true, os.WriteFile(path, data, 0o644)
	case err == nil:
		return fi, false, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	}
	return nil, false, err
}

// errNoTemp is replaceFile's error when the directory of the file takes
// no new file, which a file that can be written all the same is written
// in place.
var errNoTemp = errors.New("no temporary file")

// replaceFile replaces the regular file at path (fi, nil for a new file)
// with one holding data: it writes data to a new file in the same
// directory and renames that over path, so that path holds either what
// it held or all of data, never a part. The new file takes the mode of
// the one it replaces, or, for a new one, 0644 less the umask, as
// os.Create gives. It is removed when anything fails; when it cannot be
// made, replaceFile returns errNoTemp.
func replaceFile(path string, data []byte, fi fs.FileInfo) error {
	tmp, err := createSibling(path)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoTemp, err)
	}
	_, err = tmp.Write(data)
	if err == nil && fi != nil {
		err = tmp.Chmod(fi.Mode().Perm())
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return cause(err)
	}
	removeLeftSiblings(path)
	return nil
}

// leftAge is the age from which a sibling file that createSibling made is
// taken for one a killed run left: a run writing a report holds its
// sibling for the moment of a write.
const leftAge = 10 * time.Minute

// removeLeftSiblings removes the files that createSibling made for path
// and that a run killed while it wrote a report left, those older than
// leftAge, so that they do not pile up beside a report written every
// night.
func removeLeftSiblings(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "."+base+".argocheck-") || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > leftAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// createSibling creates a new file beside path, named after it
// (.NAME.argocheck-N), with mode 0644 less the umask.
func createSibling(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for try := 0; ; try++ {
		name := filepath.Join(dir, fmt.Sprintf(".%s.argocheck-%d", base, rand.Uint32()))
		fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return fh, err
	}
}

// stdStream returns stdout or stderr when path names the file it writes
// to, and nil otherwise.
func stdStream(path string) *os.File {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	for _, std := range []*os.File{os.Stdout, os.Stderr} {
		if si, err := std.Stat(); err == nil && os.SameFile(fi, si) {
			return std
		}
	}
	return nil
}

// jsonOutput is the output of v as JSON to the --report file path.
func jsonOutput(path string, v any) []output {
	return fileOutput("report", path, func(w io.Writer) error { return encodeJSON(w, v) })
}

// settle saves every output, going on past failures, and returns the
// verdict's exit status, or ExitReport with the failures.
//
// The search is over: SIGINT and SIGTERM get back their default action,
// so that a report file that blocks (a FIFO no one reads) can be stopped.
func settle(status int, outs ...[]output) error {
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	var errs []error
	for _, list := range outs {
		for _, o := range list {
			if err := o.save(); err != nil {
				errs = append(errs, fmt.Errorf("could not write %s after the search: %w", o.name, err))
			}
		}
	}
	if len(errs) > 0 {
		return &failure{ExitReport, errors.Join(errs...)}
	}
	return exit(status)
}

// printAndSettle prints r on w (printReport), then saves outs (settle)
// and returns the verdict's status, or ExitReport with the files'
// failures. Stdout that cannot be written ends the command with ExitIO,
// but does not keep the files from being written: they hold the verdict,
// in place of what an earlier run left there.
func printAndSettle(w io.Writer, r textReport, asJSON bool, status int, outs ...[]output) error {
	status, printed := printFirst(w, r, asJSON, status)
	return withSearchError(printed, settle(status, outs...))
}

// printFirst prints r on w (printReport) and returns the status settle
// is to give, the verdict's or, when stdout failed, ExitVerified (as
// withSearchError gives stdout's), and the failure to print.
func printFirst(w io.Writer, r textReport, asJSON bool, status int) (int, error) {
	printed := printReport(w, r, asJSON)
	if printed != nil {
		status = ExitVerified
	}
	return status, printed
}

// withSearchError is the end of a command that failed with runErr (when
// set: its search ended in that error, or its stdout could not be
// written) after saved, the result of settle on the reports of what it
// reached: runErr, with its status, and the report files' failures.
func withSearchError(runErr, saved error) error {
	switch {
	case runErr == nil:
		return saved
	case saved != nil:
		return fmt.Errorf("%w\n%v", runErr, saved)
	}
	return runErr
}

// verdictStatus is the exit status of a verdict. Only verified is 0: a
// verdict it does not know is no verdict, an error (ExitIO).
func verdictStatus(v explorer.Verdict) int {
	switch v {
	case explorer.Verified:
		return ExitVerified
	case explorer.Violated:
		return ExitViolation
	case explorer.Incomplete:
		return ExitIncomplete
	}
	return ExitIO
}

// paths names the output files the flags ask for, by flag.
func (f *searchFlags) paths() [][2]string {
	return [][2]string{{"report", f.report}, {"junit", f.junit}, {"trace-html", f.traceHTML}, {"trace-dot", f.traceDOT}}
}

// checkPaths refuses, before anything runs, an output file that could not
// be written: a directory, a file that cannot be opened for writing, or a
// new file in a directory that is missing or not writable; two flags (of
// the search flags and more, the command's own) that name one file, which
// would keep only what the second wrote; and an output file that is, or
// lies inside, one of dirs or the --spill directory (ownDir), whose
// files argocheck keeps. It writes nothing: an existing file is opened
// without truncating it, and a new one's directory is tried with a
// temporary file, removed at once.
//
// From here on the command answers for its output files (claimOutputs).
// When it refuses them, it removes what an earlier run left at those of
// its report files that it would have written (clearRefused), so that
// none is read as this run's verdict.
func (f *searchFlags) checkPaths(cmd *cobra.Command, dirs []ownDir, more ...[2]string) error {
	claimOutputs(cmd)
	paths := append(f.paths(), more...)
	dirs = append([]ownDir{spillDir("--spill "+f.spill, f.spill)}, dirs...)
	if err := checkPathsIn(paths, dirs); err != nil {
		return withStale(err, clearRefused(f.paths(), dirs, removeStale))
	}
	return nil
}

// clearRefused are the removals (remove's), for a command whose output
// paths were refused, of what an earlier run left at those of paths that
// are fine on their own: a file that can be written, outside dirs. The
// path that was refused is left as it is, as is what remove leaves.
func clearRefused(paths [][2]string, dirs []ownDir, remove func(flag, path string) []output) []output {
	var outs []output
	for _, p := range paths {
		if checkWritable(p[1]) != nil || slices.ContainsFunc(dirs, func(d ownDir) bool { return d.holds(p[1]) != outside }) {
			continue
		}
		outs = append(outs, remove(p[0], p[1])...)
	}
	return outs
}

// checkPathsIn is checkPaths for paths (flag and path) and dirs.
func checkPathsIn(paths [][2]string, dirs []ownDir) error {
	if err := checkOwnDirs(paths, dirs); err != nil {
		return err
	}
	for i, p := range paths {
		if err := checkWritable(p[1]); err != nil {
			return usagef("--%s %s: %v", p[0], p[1], err)
		}
		for _, q := range paths[:i] {
			if sameFile(q[1], p[1]) {
				return usagef("--%s %s and --%s %s name the same file: write them to two files", q[0], q[1], p[0], p[1])
			}
		}
	}
	return nil
}

// ownDir is a directory whose files argocheck keeps: a store (--store
// DIR, resume DIR), the spill directory (--spill DIR: its
// argocheck-spill-* directories) or a shard exchange's directory
// (--exchange file:///DIR). A report written there
// would replace one of those files, and the clearing of an earlier run's
// report would remove it: a store that no longer opens.
type ownDir struct {
	name string // how the command line names it: "--store DIR"
	dir  string // none when empty
	// only, when set, begins the names of the entries of dir that are
	// argocheck's (a spill directory's argocheck-spill-*): the rest of
	// dir, such as /tmp's other files, is not.
	only string
}

// spillDir is the ownDir of a spill directory that name names.
func spillDir(name, dir string) ownDir {
	return ownDir{name: name, dir: dir, only: explorer.SpillPrefix}
}

// checkOwnDirs refuses an output file of paths (flag and path) that is,
// or lies inside, one of dirs, existing or not: paths are compared as
// the files they write (inside), through symbolic links.
func checkOwnDirs(paths [][2]string, dirs []ownDir) error {
	for _, d := range dirs {
		for _, p := range paths {
			switch d.holds(p[1]) {
			case same:
				return usagef("--%s %s and %s name the same file: write the report to another file", p[0], p[1], d.name)
			case within:
				return usagef("--%s %s is inside %s, which argocheck keeps its own files in: write it outside that directory", p[0], p[1], d.name)
			}
		}
	}
	return nil
}

// holds says where path lies from d: within only in an entry of d's
// that is argocheck's.
func (d ownDir) holds(path string) place {
	at, entry := inside(d.dir, path)
	if at == within && d.only != "" && !strings.HasPrefix(entry, d.only) {
		return outside
	}
	return at
}

// place is where a path lies from a directory: outside it, the same
// file, or within it.
type place int

const (
	outside place = iota
	same
	within
)

// inside says where path lies from dir, both existing or not, and, when
// within, the name of the entry of dir it lies in: each made absolute and
// clean, with the symbolic links resolved as far as it exists
// (resolved), and compared by name, or, for an existing directory above
// path, by identity (os.SameFile). DIR/ is DIR, and ./DIR/../DIR/F lies
// in it.
func inside(dir, path string) (place, string) {
	if dir == "" || path == "" {
		return outside, ""
	}
	d, p := resolved(dir), resolved(path)
	di, derr := os.Stat(d)
	entry := ""
	for a, at := p, same; ; a, at = filepath.Dir(a), within {
		if a == d {
			return at, entry
		}
		if derr == nil && di.IsDir() {
			if ai, err := os.Stat(a); err == nil && os.SameFile(ai, di) {
				return at, entry
			}
		}
		if filepath.Dir(a) == a {
			return outside, ""
		}
		entry = filepath.Base(a)
	}
}

// resolved is path made absolute and clean, with its symbolic links
// resolved as far as it exists, and through a link to a file not made yet
// (as newTarget): the file that writing path writes. A ".." is taken as
// the system takes it, after the link before it is followed: lnk/../F
// lies beside lnk's target, not beside lnk, for a file not made yet too.
func resolved(path string) string {
	abs := path
	if !filepath.IsAbs(abs) {
		wd, err := os.Getwd()
		if err != nil || filepath.VolumeName(path) != "" {
			abs, _ = filepath.Abs(path)
			return filepath.Clean(abs)
		}
		// Not joined: filepath.Join would clean lnk/.. away.
		abs = wd + string(filepath.Separator) + path
	}
	var missing []string // the names after the part that exists, last first
	for p, links := abs, 0; ; {
		p = trimSeparators(p)
		if r, err := filepath.EvalSymlinks(p); err == nil {
			slices.Reverse(missing)
			return filepath.Join(append([]string{r}, missing...)...)
		}
		dir, name := filepath.Split(p) // as written, .. and all
		if to, err := os.Readlink(p); err == nil && links < 40 {
			// A link to a file not made yet: writing makes its target.
			if !filepath.IsAbs(to) {
				to = dir + to
			}
			p, links = to, links+1
			continue
		}
		if name == "" {
			return filepath.Clean(abs)
		}
		p, missing = dir, append(missing, name)
	}
}

// trimSeparators is path without the separators that end it, the root's
// own excepted.
func trimSeparators(path string) string {
	for len(path) > len(filepath.VolumeName(path))+1 && os.IsPathSeparator(path[len(path)-1]) {
		path = path[:len(path)-1]
	}
	return path
}

// clearOutputs removes what an earlier run left at the output files' paths,
// once they are checked and before anything else can fail (a plan that
// does not parse, a store that does not open, a shard refused): a command
// that then ends in an error before it writes its own report files leaves
// none to be read as its verdict. As for a picture of no violation
// (removeStale), a symbolic link's file is removed and the link kept, and
// what is not a regular file is left as it is.
func (f *searchFlags) clearOutputs() error {
	for _, p := range f.paths() {
		for _, o := range removeStale(p[0], p[1]) {
			if err := o.save(); err != nil {
				return ioFail(fmt.Errorf("could not remove what an earlier run left at %s: %v", o.name, cause(err)))
			}
		}
	}
	return nil
}

// outputFlags are the flags that name a command's output files, as
// paths gives them.
var outputFlags = []string{"report", "junit", "trace-html", "trace-dot"}

// outputsKey is the context key of a command's *outputsClaim.
type outputsKey struct{}

// outputsClaim says whether a command has come to its output files: it
// checks them (checkPaths), then clears or writes them (a shard other
// than shard 0: once it has claimed its run, shardClear; ending before
// it, removeUnclaimed).
type outputsClaim struct{ claimed bool }

// claimOutputs marks cmd as answering for its output files from now on:
// run removes no earlier run's file for it (staleOutputs).
func claimOutputs(cmd *cobra.Command) {
	if c, ok := cmd.Context().Value(outputsKey{}).(*outputsClaim); ok {
		c.claimed = true
	}
}

// staleOutputs are the removals of the files an earlier run left at the
// output paths that args (the command line after the program's name)
// give to one of root's commands: what run does when the command is
// refused before it came to them (claimOutputs), an unknown flag, a bad
// value, an unknown system or variant, so that no earlier run's verdict
// is read as this run's. The paths are read from args as the flags parse
// them (--report FILE, --report=FILE, the last one given that is not
// empty), even when the
// command line does not parse, as far as the first unknown flag's value.
// As clearOutputs, they remove the file a symbolic link leads to, and
// leave alone what is not a regular file and the file stdout or stderr
// writes to; they leave alone, too, a file that
// another word of the command line names (run's PLAN), and one that is
// or lies inside a directory whose files argocheck keeps (ownDir) that
// the command line names (--store, --spill, --exchange file:///DIR,
// resume's and trace's DIR, run's PLAN's spill=DIR), which checkPaths
// would have refused; and a shard
// other than shard 0, or one whose index is not known, removes only
// what is at its --report and --junit paths, and not a report that
// shard 0 wrote (removeUnclaimed): that may be shard 0's report of this
// run, on a volume the shards share, and the pictures are shard 0's
// alone.
func staleOutputs(root *cobra.Command, args []string) []output {
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		return nil
	}
	fl := cmd.Flags()
	paths := map[string]string{} // by flag
	index, indexGiven := "", false
	var others []string // the other words, and the other flags' values
	var words []string  // the other words
	var dirs []ownDir   // the directories whose files argocheck keeps
	for i := 0; i < len(rest); i++ {
		word := rest[i]
		if word == "--" {
			others = append(others, rest[i+1:]...)
			words = append(words, rest[i+1:]...)
			break
		}
		var f *pflag.Flag
		value, given := "", false
		switch {
		case strings.HasPrefix(word, "--"):
			var name string
			name, value, given = strings.Cut(word[2:], "=")
			f = fl.Lookup(name)
		case len(word) == 2 && word[0] == '-':
			f = fl.ShorthandLookup(word[1:])
		}
		if f == nil {
			others, words = append(others, word), append(words, word)
			continue
		}
		if !given && f.NoOptDefVal == "" && i+1 < len(rest) {
			i++
			value, given = rest[i], true
		}
		switch {
		case !given:
		case slices.Contains(outputFlags, f.Name):
			if value != "" { // refused, not a path: the one before it
				paths[f.Name] = value
			}
		case f.Name == "index":
			index, indexGiven = value, true
		default:
			others = append(others, value)
			if dir, ok := ownDirFlags[f.Name]; ok && value != "" {
				dirs = append(dirs, dir(value))
			}
		}
	}
	if _, ok := cmd.Annotations[storeArgAnnotation]; ok {
		for _, w := range words {
			dirs = append(dirs, ownDir{dir: w})
		}
	}
	if _, ok := cmd.Annotations[planArgAnnotation]; ok {
		for _, w := range words {
			// A plan's, a regular file's: reading a FIFO would take
			// what it holds from the run it is meant for, or block.
			if fi, err := os.Stat(w); err == nil && fi.Mode().IsRegular() {
				if data, err := os.ReadFile(w); err == nil {
					dirs = append(dirs, planSpills(data, w)...)
				}
			}
		}
	}
	names, remove := outputFlags, removeStale
	if fl.Lookup("index") != nil {
		if !indexGiven {
			if i, _, err := envShardIndex(); err == nil {
				index = strconv.Itoa(i)
			}
		}
		if i, err := strconv.Atoi(index); err != nil || i != 0 {
			// A shard other than shard 0, or one that may be: its
			// report files, not shard 0's reports, and not the
			// pictures (removeUnclaimed).
			names, remove = outputFlags[:2], removeUnclaimed
		}
	}
	var outs []output
	for _, name := range names {
		path := paths[name]
		if path == "" || slices.ContainsFunc(others, func(w string) bool { return sameExisting(w, path) }) ||
			slices.ContainsFunc(dirs, func(d ownDir) bool { return d.holds(path) != outside }) {
			continue
		}
		outs = append(outs, remove(name, path)...)
	}
	return outs
}

// ownDirFlags give the directory whose files argocheck keeps (ownDir)
// that the value of each flag that names one names.
var ownDirFlags = map[string]func(string) ownDir{
	"store":    func(dir string) ownDir { return ownDir{dir: dir} },
	"spill":    func(dir string) ownDir { return spillDir("", dir) },
	"exchange": func(url string) ownDir { return ownDir{dir: shard.LocalDir(url)} },
}

// storeArgAnnotation marks a command whose arguments name a store
// directory (resume DIR, trace DIR), for staleOutputs.
const storeArgAnnotation = "argocheck_store_arg"

// planArgAnnotation marks a command whose arguments name a plan (run
// PLAN), whose lines' spill directories staleOutputs leaves alone.
const planArgAnnotation = "argocheck_plan_arg"

// sameExisting reports whether a and b name one existing file.
func sameExisting(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// sameFile reports whether paths a and b name the same regular file,
// existing or new. Two names of a device (/dev/null) or a pipe are not
// the same file: each write goes through, and none is lost.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	switch {
	case errA == nil && errB == nil:
		return fa.Mode().IsRegular() && os.SameFile(fa, fb)
	case errA == nil || errB == nil:
		return false
	}
	a, b = newTarget(a), newTarget(b)
	if filepath.Base(a) != filepath.Base(b) {
		return false
	}
	da, errA := os.Stat(dirOf(a))
	db, errB := os.Stat(dirOf(b))
	return errA == nil && errB == nil && os.SameFile(da, db)
}

// newTarget is the file that writing to path, which does not exist,
// creates: path itself, or the target that the symbolic links at path
// lead to (a link to a file not made yet).
func newTarget(path string) string {
	for range 40 { // as the kernel, which gives up after 40 links
		to, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(to) {
			dir, _ := filepath.Split(path) // as written: see dirOf
			to = dir + to
		}
		path = to
	}
	return path
}

func checkWritable(path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return errors.New("is a directory")
	case err == nil && !fi.Mode().IsRegular():
		// A device or a FIFO: opening one may block until it has a
		// reader, and a FIFO's reader would take the close for its end.
		return nil
	case err == nil:
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return cause(err)
		}
		return fh.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return cause(err)
	}
	return checkDir(dirOf(newTarget(path)))
}

// dirOf is the directory that holds path as the system reads it: path's
// directory as written, not cleaned, for lnk/.. is the directory above
// lnk's target, and missing/.. no directory at all.
func dirOf(path string) string {
	dir, _ := filepath.Split(path)
	if dir == "" {
		return "."
	}
	return trimSeparators(dir)
}

// checkDir checks that a file can be created in dir, with a temporary
// file that it removes.
func checkDir(dir string) error {
	fh, err := os.CreateTemp(dir, ".argocheck-*")
	if err != nil {
		return fmt.Errorf("cannot write in directory %s: %v", dir, cause(err))
	}
	fh.Close()
	return os.Remove(fh.Name())
}

// cause is err without the path an *fs.PathError repeats.
func cause(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}

// checkOutputs are the report files of one check: the JSON report, the
// JUnit report and the pictures of its violating paths.
func (f *searchFlags) checkOutputs(rep *report) []output {
	outs := jsonOutput(f.report, rep)
	outs = append(outs, fileOutput("junit", f.junit, func(w io.Writer) error {
		return writeJUnit(w, "argocheck", []junitCase{checkCase(rep)}, shardProperties(rep.Run, rep.Shard)...)
	})...)
	if len(rep.Violations) == 0 {
		return append(append(outs, removeStale("trace-html", f.traceHTML)...), removeStale("trace-dot", f.traceDOT)...)
	}
	page := tracePage(rep)
	outs = append(outs, fileOutput("trace-html", f.traceHTML, func(w io.Writer) error { return viz.WriteHTML(w, page) })...)
	return append(outs, fileOutput("trace-dot", f.traceDOT, func(w io.Writer) error { return viz.WriteDOT(w, page) })...)
}

// errorOutputs are the report files of check rep (which holds no result)
// whose search ended in err, not a verdict: the JSON report of the error,
// the JUnit report with the check as an <error>, and no pictures. Each
// takes the place of what an earlier run left at its path, so that none
// is read as this run's verdict.
func (f *searchFlags) errorOutputs(rep *report, err error) []output {
	outs := jsonOutput(f.report, newErrorReport(rep, err))
	outs = append(outs, fileOutput("junit", f.junit, func(w io.Writer) error {
		return writeJUnit(w, "argocheck", []junitCase{errorCase(rep, err)}, shardProperties(rep.Run, rep.Shard)...)
	})...)
	return append(append(outs, removeStale("trace-html", f.traceHTML)...), removeStale("trace-dot", f.traceDOT)...)
}

// settleError ends check rep (which holds no result) whose search ended
// in err, not a verdict: with --json it prints on w the error report,
// the object the --report file gets, then it writes the report files of
// the error (errorOutputs) in place of what an earlier run left there.
// The status is err's; stdout's failure and the files' are named after
// err.
func (f *searchFlags) settleError(w io.Writer, rep *report, err error) error {
	printed := f.printError(w, rep, err)
	return withSearchError(err, errors.Join(printed, settle(ExitVerified, f.errorOutputs(rep, err))))
}

// printError prints on w, with --json, the error report of check rep
// whose search ended in err, and nothing without: the error is the line
// on stderr.
func (f *searchFlags) printError(w io.Writer, rep *report, err error) error {
	if !f.json {
		return nil
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, newErrorReport(rep, err)); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("printing the report: %w", err)
	}
	return nil
}

// removeStale is the output of a picture's flag (named flag) on a check
// with no violation, or no verdict: the file at path, an earlier run's
// picture, is removed (or emptied: removeOrEmpty), so that none is taken
// for this run's. Through a symbolic link, the regular file it leads to
// is removed, as a report written through it replaces that file, and the
// link is kept; a link to no file yet is left as it is. Anything but a
// regular file (a device, a pipe) is left as it is, and so is the file
// stdout or stderr writes to, which holds this run's output.
func removeStale(flag, path string) []output {
	if path == "" {
		return nil
	}
	return []output{{name: "--" + flag + " " + path, save: func() error {
		target, ok, err := staleTarget(path)
		if !ok {
			return err
		}
		return removeOrEmpty(target)
	}}}
}

// staleTarget returns the file that removing what an earlier run left at
// path removes: the regular file at path, or the one a symbolic link
// there leads to. ok is false, and err nil, where there is none to
// remove: no file, anything but a regular file, or the file stdout or
// stderr writes to.
func staleTarget(path string) (target string, ok bool, err error) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() || stdStream(path) != nil {
		return "", false, nil
	}
	target, err = filepath.EvalSymlinks(path)
	return target, err == nil, err
}

// removeOrEmpty removes the regular file at path or, when its directory
// does not let it be removed (a file that can be written in a directory
// that cannot, which writeOutput writes in place), empties it: either
// way no earlier run's report is left there to be read.
func removeOrEmpty(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrPermission) {
		if os.Truncate(path, 0) == nil {
			return nil
		}
	}
	return err
}

// tracePage is the picture of a check's violating paths.
func tracePage(rep *report) viz.Page {
	page := viz.Page{Title: fmt.Sprintf("%s %s", rep.System, rep.Variant), Subtitle: rep.configLine()}
	for i, v := range rep.Violations {
		title := fmt.Sprintf("violation %d: %s", i+1, v.Kind)
		if v.Op != "" {
			title += " in " + v.Op
			if v.CrashAfter >= 0 {
				title += fmt.Sprintf(", crash after %d %s", v.CrashAfter, plural(v.CrashAfter, "step", "steps"))
			}
		}
		page.Paths = append(page.Paths, viz.Path{Title: title, Trace: &model.Trace{Steps: v.Trace}})
	}
	return page
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
