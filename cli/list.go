package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
)

func newList(cat *catalog.Catalog) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the systems, their parameters and variants",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("list takes no arguments: it lists every system (a system's flags: 'argocheck check SYSTEM --help')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			for _, s := range cat.Systems() {
				fmt.Fprintf(w, "%s\t%s\n", s.Name, s.About)
				for _, q := range s.Params {
					values := fmt.Sprintf("%d..%d", q.Min, q.Max)
					if q.Bool {
						values = "true or false"
					}
					fmt.Fprintf(w, "  --%s\t%s (default %s, %s)\n", q.Name, q.About, q.Format(q.Default), values)
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
			if err := w.Flush(); err != nil {
				return ioFail(fmt.Errorf("printing the list: %w", err))
			}
			return nil
		},
	}
}
