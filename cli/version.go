package cli

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"runtime/debug"
	"sync"

	"github.com/spf13/cobra"
)

// modulePath is argocheck's module, found in the build information of
// the argocheck command or of a program that imports it.
const modulePath = "github.com/argocheck/argocheck"

// version is the argocheck that wrote a report: the module's version, and
// the VCS revision it was built from when it is the main module. In a
// program of a user's own built on argocheck (a layer's own command),
// Program names that program and the revision of its module, which holds
// the layer code checked. Build is buildID, set by reportVersion: a
// report names the binary that reached its verdict even where the build
// holds no VCS information, or two builds of different layer code hold
// the same.
type version struct {
	Version  string  `json:"version"`
	Revision string  `json:"revision"`
	Modified bool    `json:"modified"`
	Build    string  `json:"build,omitempty"`
	Program  program `json:"program,omitzero"`
}

// program is a user's program built on argocheck: its command (the last
// element of its package path), its module, the module's version, and
// the VCS revision the program was built from.
type program struct {
	Command  string `json:"command"`
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision"`
	Modified bool   `json:"modified"`
}

// readBuildInfo reads the running program's build information; tests
// replace it.
var readBuildInfo = debug.ReadBuildInfo

// buildVersion reads the running program's build information, with
// "(devel)" for a version and "unknown" for a revision it does not hold.
func buildVersion() version {
	v := version{Version: "(devel)", Revision: "unknown"}
	info, ok := readBuildInfo()
	if !ok {
		return v
	}
	revision, modified := "unknown", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	mod := &info.Main
	if mod.Path != modulePath {
		v.Program = program{Command: path.Base(info.Path), Module: mod.Path, Version: cmp.Or(mod.Version, "(devel)"), Revision: revision, Modified: modified}
		mod = nil
		for _, d := range info.Deps {
			if d.Path == modulePath {
				mod = d
			}
		}
	}
	if mod == nil {
		return v
	}
	if mod.Replace != nil && mod.Replace.Version != "" {
		mod = mod.Replace
	}
	if mod.Version != "" {
		v.Version = mod.Version
	}
	if mod == &info.Main {
		// The VCS settings describe the main module.
		v.Revision, v.Modified = revision, modified
	}
	return v
}

// reportVersion is the version a report names: buildVersion with the
// build (buildID), hashed when a report is written rather than whenever
// a command starts.
func reportVersion() version {
	v := buildVersion()
	v.Build = buildID()
	return v
}

// String renders the version on one line, as --version prints it before
// the build: argocheck's, or a user's program's followed by the
// argocheck it is built on.
func (v version) String() string {
	if p := v.Program; p != (program{}) {
		return fmt.Sprintf("%s module=%s version=%s revision=%s modified=%t argocheck=%s", p.Command, p.Module, p.Version, p.Revision, p.Modified, v.Version)
	}
	return fmt.Sprintf("argocheck version=%s revision=%s modified=%t", v.Version, v.Revision, v.Modified)
}

// buildID names the build of the running program: the first 16 hex
// digits of the SHA-256 of its executable, read once. Unlike the version
// and revision it names the layer code even in a build with no VCS
// information and in a user's own program built on this package. A store
// and a shard run record it, and another build refuses them. Where the
// executable cannot be read (a program installed execute-only), the build
// has no name: buildID is "unknown", and knownBuild refuses the stores and
// exchanges that would need it.
func buildID() string {
	id, err := buildHash()
	if err != nil {
		return unknownBuild
	}
	return id
}

// unknownBuild is buildID of a program that cannot read its executable.
const unknownBuild = "unknown"

// buildHash returns the hash buildID names, or why the executable could
// not be read. The build information is no substitute: two builds of
// different layer code from one revision, or with no VCS information,
// hold the same, and one would take over the other's store and verdict.
// A variable, so that tests can make the executable unreadable.
var buildHash = sync.OnceValues(func() (string, error) { return hashBuild(hashExecutable) })

// hashBuild hashes the executable that read writes.
func hashBuild(read func(io.Writer) error) (string, error) {
	h := sha256.New()
	if err := read(h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// knownBuild refuses, as bad usage, a store or a shard exchange (what
// names it) to a program that cannot name its build: it could neither
// refuse another build's nor be refused by one.
func knownBuild(what string) error {
	if _, err := buildHash(); err != nil {
		return usagef("%s: cannot read this program's executable to name its build (%v): a store and a shard exchange belong to the build that made them, and another build's could be taken for this one's; make the executable readable by the user that runs it", what, err)
	}
	return nil
}

// hashExecutable writes the running program's executable to w: where
// the system shows it (Linux: /proc/self/exe), the program the process
// runs, even when the file it was started from has been replaced since
// (a rebuild in place), whose path os.Executable returns all the same;
// elsewhere the file at that path.
func hashExecutable(w io.Writer) error {
	f, err := os.Open(runningExecutable)
	if err != nil {
		path, perr := os.Executable()
		if perr != nil {
			return perr
		}
		if f, err = os.Open(path); err != nil {
			return err
		}
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// runningExecutable names the running program itself, where the system
// has such a name.
const runningExecutable = "/proc/self/exe"

// buildTemplateFunc is the name of buildID in --version's template: the
// build is hashed only when the version is printed.
const buildTemplateFunc = "argocheckBuild"

func init() { cobra.AddTemplateFunc(buildTemplateFunc, buildID) }

// versionTemplate is --version's template: the version, then the build.
const versionTemplate = "{{.Version}} build={{" + buildTemplateFunc + "}}\n"

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print argocheck's version, VCS revision and build",
		Args:  noArgs("version"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s build=%s\n", buildVersion(), buildID()); err != nil {
				return ioFail(fmt.Errorf("printing the version: %w", err))
			}
			return nil
		},
	}
}
