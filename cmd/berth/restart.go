package main

import (
	"github.com/spf13/cobra"

	"berth/reconciler"
)

func newRestartCommand(a *app) *cobra.Command {
	var timeout *stopTimeout
	var noDeps bool
	cmd := &cobra.Command{
		Use:               "restart [OPTIONS] [SERVICE...]",
		Short:             "Restart service containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLifecycle(cmd.Context(), "restart", args, reconciler.LifecycleOptions{Timeout: timeout.value(), NoDeps: noDeps})
		},
	}
	f := cmd.Flags()
	timeout = addTimeoutFlag(f, "Specify a shutdown timeout in seconds")
	f.BoolVar(&noDeps, "no-deps", false, "Don't restart dependent services")
	return cmd
}
