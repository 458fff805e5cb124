package main

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/reconciler"
)

func newStartCommand(a *app) *cobra.Command {
	var wait bool
	var waitTimeout int
	cmd := &cobra.Command{
		Use:               "start [SERVICE...]",
		Short:             "Start services",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runStart(cmd.Context(), args, wait, time.Duration(waitTimeout)*time.Second)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	f.IntVar(&waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	return cmd
}

// runStart starts the stopped containers and, with --wait, waits until
// the services are running or healthy.
func (a *app) runStart(ctx context.Context, services []string, wait bool, timeout time.Duration) error {
	p, eng, plan, err := a.planLifecycle(ctx, "start", services, reconciler.LifecycleOptions{})
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	if err := a.applyPlan(ctx, eng, plan); err != nil || !wait {
		return err
	}
	names := services
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(p.Services))
	}
	return interrupted(ctx, reconciler.WaitReady(ctx, eng, p, names, timeout))
}

// runLifecycle loads the project (an unknown service is an error naming the
// closest one), plans the command against what the engine holds and applies
// the plan, rendering progress; --dry-run prints the plan instead.
func (a *app) runLifecycle(ctx context.Context, command string, services []string, o reconciler.LifecycleOptions) error {
	_, eng, plan, err := a.planLifecycle(ctx, command, services, o)
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	return a.applyPlan(ctx, eng, plan)
}

// planLifecycle loads the project and plans the command.
func (a *app) planLifecycle(ctx context.Context, command string, services []string, o reconciler.LifecycleOptions) (*types.Project, engine.Engine, reconciler.Plan, error) {
	p, eng, err := a.openAll(ctx, services, true)
	if err != nil {
		return nil, nil, reconciler.Plan{}, err
	}
	o.Services = services
	plan, err := reconciler.LifecyclePlan(ctx, eng, p, command, o)
	return p, eng, plan, err
}

// applyPlan applies a plan with the progress renderer the flags ask for.
func (a *app) applyPlan(ctx context.Context, eng engine.Engine, plan reconciler.Plan) error {
	r := a.progressRenderer()
	err := reconciler.Apply(ctx, eng, plan, r, reconciler.ApplyOptions{Parallel: a.global.parallel})
	r.Close()
	return interrupted(ctx, err)
}
