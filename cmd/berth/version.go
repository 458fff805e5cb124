package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func newVersionCommand(a *app) *cobra.Command {
	var short bool
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the berth version information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case short:
				fmt.Fprintln(a.stdout, version)
			case format == "json":
				fmt.Fprintf(a.stdout, "{\"version\":%q}\n", version)
			default:
				fmt.Fprintf(a.stdout, "berth version %s\n", version)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&short, "short", false, "Shows only berth's version number")
	// No -f shorthand: it is the persistent --file, and pflag panics on the clash.
	cmd.Flags().StringVarP(&format, "format", "f", "", `Format the output. Values: [pretty | json]`)
	return cmd
}
