package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// modulePath is argocheck's module, found in the build information of
// the argocheck command or of a program that imports it.
const modulePath = "github.com/argocheck/argocheck"

// version is the argocheck that wrote a report: the module's version, and
// the VCS revision it was built from when it is the main module.
type version struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
	Modified bool   `json:"modified"`
}

// buildVersion reads the running program's build information, with
// "(devel)" for a version and "unknown" for a revision it does not hold.
func buildVersion() version {
	v := version{Version: "(devel)", Revision: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	mod := &info.Main
	if mod.Path != modulePath {
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
	if mod != &info.Main {
		return v // the VCS settings describe the main module, not argocheck
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String renders the version on one line, as --version prints it.
func (v version) String() string {
	return fmt.Sprintf("argocheck version=%s revision=%s modified=%t", v.Version, v.Revision, v.Modified)
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print argocheck's version and VCS revision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), buildVersion())
			return err
		},
	}
}
