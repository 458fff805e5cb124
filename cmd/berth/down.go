package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"berth/reconciler"
)

func newDownCommand(a *app) *cobra.Command {
	var o reconciler.DownOptions
	var timeout *stopTimeout
	cmd := &cobra.Command{
		Use:   "down [OPTIONS] [SERVICES]",
		Short: "Stop and remove containers, networks",
		Long: `Stop and remove containers, networks

With SERVICES, only those services and the services that depend on them are
stopped and removed; a network or volume goes only when no other service of
the project uses it.`,
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services, o.Timeout = args, timeout.value()
			if !cmd.Flags().Changed("remove-orphans") {
				o.RemoveOrphans = a.envBool("COMPOSE_REMOVE_ORPHANS")
			}
			return a.runDown(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers")
	f.StringVar(&o.RemoveImages, "rmi", "", `Remove images used by services. "local" remove only images that don't have a custom tag ("local"|"all")`)
	timeout = addTimeoutFlag(f, "Specify a shutdown timeout in seconds")
	return cmd
}

// runDown stops and removes what the project runs.
func (a *app) runDown(ctx context.Context, o reconciler.DownOptions) error {
	if o.RemoveImages != "" && o.RemoveImages != "local" && o.RemoveImages != "all" {
		return fmt.Errorf("invalid --rmi %q: want \"local\" or \"all\"", o.RemoveImages)
	}
	p, eng, err := a.openAll(ctx, o.Services, false)
	if gone := (*goneServicesError)(nil); errors.As(err, &gone) {
		// Known by name only: the services without containers are done.
		o.Services = slices.DeleteFunc(o.Services, func(s string) bool { return slices.Contains(gone.names, s) })
		if len(o.Services) == 0 {
			fmt.Fprintf(a.stderr, "Any of the services %v not running in project %q\n", gone.names, a.nameWithoutFile())
			return nil
		}
		p, eng, err = a.openAll(ctx, o.Services, false)
	}
	if err != nil {
		return err
	}
	if a.byName && !o.RemoveOrphans && len(p.Services)+len(p.Networks)+len(p.Volumes) == 0 {
		fmt.Fprintf(a.stderr, "WARN[0000] No resource found to remove for project %q.\n", p.Name)
		return nil
	}
	if a.global.dryRun {
		return a.printPlan(reconciler.PlanDown(ctx, eng, p, o))
	}
	r := a.progressRenderer()
	_, err = reconciler.Down(ctx, eng, p, o, reconciler.ApplyOptions{Parallel: a.global.parallel, Exclusive: a.projectLock().Acquire}, r)
	r.Close()
	return interrupted(ctx, err)
}
