package main

import (
	"github.com/spf13/cobra"

	"berth/reconciler"
)

func newStopCommand(a *app) *cobra.Command {
	var timeout *stopTimeout
	cmd := &cobra.Command{
		Use:               "stop [OPTIONS] [SERVICE...]",
		Short:             "Stop services",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLifecycle(cmd.Context(), "stop", args, reconciler.LifecycleOptions{Timeout: timeout.value(), Stopped: true})
		},
	}
	timeout = addTimeoutFlag(cmd.Flags(), "Specify a shutdown timeout in seconds")
	return cmd
}
