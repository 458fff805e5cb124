package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"berth/engine"
	"berth/reconciler"
)

func newWaitCommand(a *app) *cobra.Command {
	var downProject bool
	cmd := &cobra.Command{
		Use:               "wait SERVICE [SERVICE...] [OPTIONS]",
		Short:             "Block until containers of all (or specified) services stop.",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runWait(cmd.Context(), args, downProject)
		},
	}
	cmd.Flags().BoolVar(&downProject, "down-project", false, "Drops project when the first container stops")
	return cmd
}

// runWait waits for the services' containers to stop, printing each exit
// code as it comes; berth exits with the first one.
func (a *app) runWait(ctx context.Context, services []string, downProject bool) error {
	p, eng, err := a.open(ctx, services...)
	if err != nil {
		return err
	}
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: services})
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return errors.New("no containers for the given services")
	}
	// With --down-project the first exit ends the wait for the others.
	waitCtx, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	var mu sync.Mutex
	first := -1
	g := new(errgroup.Group)
	for _, c := range cs {
		g.Go(func() error {
			ch, errs := exitOf(waitCtx, eng, c)
			select {
			case code := <-ch:
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintln(a.stdout, code)
				if first < 0 {
					first = code
				}
				if downProject {
					stopWaiting()
				}
				return nil
			case err := <-errs:
				if downProject && waitCtx.Err() != nil && ctx.Err() == nil {
					return nil // another container stopped first
				}
				return err
			}
		})
	}
	if err := g.Wait(); err != nil {
		return interrupted(ctx, err)
	}
	if downProject {
		if err := a.runDown(ctx, reconciler.DownOptions{}); err != nil {
			return err
		}
	}
	if first != 0 {
		return &exitError{code: first}
	}
	return nil
}

// exitOf is the container's exit code: now when it has already stopped
// (the engine's wait would wait for a next run), else once it stops. A
// container the list showed running may have exited before the wait was
// registered, and the engine's wait would then wait for a run that never
// comes; so once the wait is in place, an inspect settles it: an exit
// before the registration shows there, one after it reaches the wait.
func exitOf(ctx context.Context, eng engine.Engine, c engine.Container) (<-chan int, <-chan error) {
	if runningState(c.State) {
		codes, errs := eng.WaitContainer(ctx, c.ID)
		// The container may have stopped since the list (which can lag
		// the exit on newer engines), and the wait then waits for a next
		// run that never comes. Inspected after the wait is set up, a
		// stopped container has its code already.
		now, err := eng.InspectContainer(ctx, c.ID)
		if err != nil || runningState(now.State) {
			return codes, errs
		}
		c = now
	}
	ch := make(chan int, 1)
	ch <- c.ExitCode
	return ch, nil
}

func runningState(s engine.State) bool {
	return s == engine.StateRunning || s == engine.StateRestarting || s == engine.StatePaused
}
