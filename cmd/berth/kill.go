package main

import (
	"github.com/spf13/cobra"

	"berth/reconciler"
)

func init() { commands = append(commands, newKillCommand) }

func newKillCommand(a *app) *cobra.Command {
	var o reconciler.LifecycleOptions
	var removeOrphans bool
	cmd := &cobra.Command{
		Use:               "kill [OPTIONS] [SERVICE...]",
		Short:             "Force stop service containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLifecycle(cmd.Context(), "kill", args, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	f.BoolVar(&removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}
