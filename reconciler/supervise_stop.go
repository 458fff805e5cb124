package reconciler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"berth/engine"
	"berth/project"
)

// StopRunning stops the project's running containers as attached mode ends
// (Ctrl-C, --abort-on-container-exit): dependents first, each service's
// containers in parallel. grace nil means each container's own stop timeout
// (stop_grace_period). Cancel ctx to give up waiting, then KillRunning.
func StopRunning(ctx context.Context, eng engine.Engine, p *types.Project, grace *time.Duration, pr Progress) error {
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, OneOff: new(false)})
	if err != nil {
		return fmt.Errorf("list containers of project %q: %w", p.Name, err)
	}
	order, err := project.StopOrder(p)
	if err != nil {
		return err
	}
	for _, group := range stopGroups(order, cs) {
		if err := stopGroup(ctx, eng, group, grace, pr); err != nil {
			return err
		}
	}
	return nil
}

// stopGroups splits running containers by service in stop order; services
// the project no longer declares stop last.
func stopGroups(order []string, cs []engine.Container) [][]engine.Container {
	groups := make([][]engine.Container, len(order)+1)
	for _, c := range cs {
		if c.State != engine.StateRunning && c.State != engine.StateRestarting && c.State != engine.StatePaused {
			continue
		}
		i := slices.Index(order, c.Labels[project.LabelService])
		if i < 0 {
			i = len(order)
		}
		groups[i] = append(groups[i], c)
	}
	return slices.DeleteFunc(groups, func(g []engine.Container) bool { return len(g) == 0 })
}

func stopGroup(ctx context.Context, eng engine.Engine, group []engine.Container, grace *time.Duration, pr Progress) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, c := range group {
		g.Go(func() error {
			ev := ProgressEvent{Kind: "Container", Name: c.Name, Service: c.Labels[project.LabelService]}
			ev.Status = "Stopping"
			pr.Event(ev)
			err := eng.StopContainer(ctx, c.ID, grace)
			if err != nil && ctx.Err() != nil { // given up on: the caller kills it
				return ctx.Err()
			}
			if err != nil && !errors.Is(err, engine.ErrNotFound) {
				ev.Status, ev.Err = "Error", err
				pr.Event(ev)
				return fmt.Errorf("stop container %q: %w", c.Name, err)
			}
			ev.Status, ev.Done = "Stopped", true
			pr.Event(ev)
			return nil
		})
	}
	return g.Wait()
}

// KillRunning sends SIGKILL to every running container of the project: the
// second Ctrl-C.
func KillRunning(ctx context.Context, eng engine.Engine, projectName string, pr Progress) error {
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: projectName, OneOff: new(false)})
	if err != nil {
		return fmt.Errorf("list containers of project %q: %w", projectName, err)
	}
	var errs []error
	for _, c := range cs {
		if c.State != engine.StateRunning && c.State != engine.StateRestarting && c.State != engine.StatePaused {
			continue
		}
		if err := eng.KillContainer(ctx, c.ID, "SIGKILL"); err != nil && !errors.Is(err, engine.ErrNotFound) {
			errs = append(errs, fmt.Errorf("kill container %q: %w", c.Name, err))
			continue
		}
		pr.Event(ProgressEvent{Kind: "Container", Name: c.Name, Service: c.Labels[project.LabelService], Status: "Killed", Done: true})
	}
	return errors.Join(errs...)
}
