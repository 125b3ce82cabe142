// Command argocheck checks crash-safe layered storage systems for recovery
// refinement by exhaustive, parallel breadth-first search.
//
// Exit status: 0 verified, 1 violation, 2 bad usage or input, 3 stopped by a
// bound before a verdict.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitVerified   = 0
	exitViolation  = 1
	exitUsage      = 2
	exitIncomplete = 3
)

// usageError marks bad usage or input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// exitError carries a verdict's exit status out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ex exitError
	switch {
	case err == nil:
		return exitVerified
	case errors.As(err, &ex):
		return ex.code
	default:
		fmt.Fprintf(stderr, "argocheck: %v\n", err)
		return exitUsage
	}
}

func newRoot(stdout io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "argocheck",
		Short: "Model checker for crash-safe layered storage systems (recovery refinement)",
		Long: `argocheck explores every sequence of operations, disk failures, crashes and
crashes during recovery of a layered storage system over small disks, and
checks at every reachable point that the implementation refines its
specification.

Exit status: 0 verified, 1 violation, 2 bad usage or input, 3 stopped by a
bound before a verdict.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newList(), newCheck(), newRun(), newBench(), newResume(), newTrace())
	return root
}

// oneArg accepts exactly one positional argument, what, as a usage error
// otherwise.
func oneArg(command, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError{fmt.Errorf("%s takes %s, got %d arguments", command, what, len(args))}
		}
		return nil
	}
}
