package main

import (
	"github.com/spf13/cobra"

	"berth/reconciler"
)

func newRestartCommand(a *app) *cobra.Command {
	var timeout int
	var noDeps bool
	cmd := &cobra.Command{
		Use:               "restart [OPTIONS] [SERVICE...]",
		Short:             "Restart service containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLifecycle(cmd.Context(), "restart", args, reconciler.LifecycleOptions{Timeout: timeoutFlag(cmd, timeout), NoDeps: noDeps})
		},
	}
	f := cmd.Flags()
	f.IntVarP(&timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds")
	f.BoolVar(&noDeps, "no-deps", false, "Don't restart dependent services")
	return cmd
}
