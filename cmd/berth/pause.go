package main

import (
	"github.com/spf13/cobra"

	"berth/reconciler"
)

func newPauseCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:               "pause [SERVICE...]",
		Short:             "Pause services",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLifecycle(cmd.Context(), "pause", args, reconciler.LifecycleOptions{})
		},
	}
}

func newUnpauseCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:               "unpause [SERVICE...]",
		Short:             "Unpause services",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLifecycle(cmd.Context(), "unpause", args, reconciler.LifecycleOptions{})
		},
	}
}
