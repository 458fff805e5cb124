package main

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/project"
	"berth/reconciler"
)

func newKillCommand(a *app) *cobra.Command {
	var o reconciler.LifecycleOptions
	var removeOrphans bool
	cmd := &cobra.Command{
		Use:               "kill [OPTIONS] [SERVICE...]",
		Short:             "Force stop service containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, eng, plan, err := a.planLifecycle(ctx, "kill", args, o)
			if err != nil || a.global.dryRun {
				return a.printPlan(plan, err)
			}
			if err := a.applyPlan(ctx, eng, plan); err != nil {
				return err
			}
			if removeOrphans {
				return a.removeOrphans(ctx, eng, p)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	f.BoolVar(&removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}

// removeOrphans force-removes the project's containers whose service the
// file no longer defines (one-offs included, as Docker Compose does).
func (a *app) removeOrphans(ctx context.Context, eng engine.Engine, p *types.Project) error {
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name})
	if err != nil {
		return fmt.Errorf("list containers of project %q: %w", p.Name, err)
	}
	r := a.progressRenderer()
	defer r.Close()
	for _, c := range cs {
		svc := c.Labels[project.LabelService]
		if _, ok := p.Services[svc]; ok {
			continue
		}
		if _, ok := p.DisabledServices[svc]; ok {
			continue
		}
		if err := eng.RemoveContainer(ctx, c.ID, engine.RemoveOptions{Force: true}); err != nil {
			return fmt.Errorf("remove orphan container %q: %w", c.Name, err)
		}
		r.Event(reconciler.ProgressEvent{Kind: "Container", Name: c.Name, Service: svc, Status: "Removed", Done: true, Reason: "orphan"})
	}
	return nil
}
