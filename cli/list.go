package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/layers"
)

func newList() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in systems, their parameters and variants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			for _, s := range layers.Systems() {
				fmt.Fprintf(w, "%s\t%s\n", s.Name, s.About)
				for _, p := range s.Params {
					fmt.Fprintf(w, "  --%s\t%s (default %d, %d..%d)\n", p.Name, p.About, p.Default, p.Min, p.Max)
				}
				for _, v := range s.Variants {
					kind := "broken"
					if v.Correct {
						kind = "correct"
					}
					fmt.Fprintf(w, "  variant %s\t%s: %s\n", v.Name, kind, v.About)
				}
				fmt.Fprintln(w)
			}
			return w.Flush()
		},
	}
}
