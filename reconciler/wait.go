package reconciler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// WaitReady returns once every service of services is ready (`up --wait`):
// its containers run, and are healthy where they have a healthcheck; a
// one-shot service that another service needs with
// service_completed_successfully is ready once it has exited 0. It follows
// engine events (no polling) and fails at once when a container exits for
// good or turns unhealthy. timeout 0 waits as long as ctx; at the timeout
// the error names each service not ready and why.
func WaitReady(ctx context.Context, eng engine.Engine, p *types.Project, services []string, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	events, errs := eng.Events(watchCtx, engine.EventFilter{Project: p.Name}) // before the snapshot: miss nothing
	w, err := snapshotWait(ctx, eng, p, services)
	if err != nil {
		return err
	}
	for {
		if pending, err := w.verdict(); err != nil || len(pending) == 0 {
			return err
		} else if err := waitNext(ctx, w, events, errs); err != nil {
			if errors.Is(err, context.DeadlineExceeded) && timeout > 0 {
				return fmt.Errorf("application not healthy after %s: %s", timeout, strings.Join(pending, "; "))
			}
			return err
		}
	}
}

// waitNext applies the next event to w.
func waitNext(ctx context.Context, w *waitState, events <-chan engine.Event, errs <-chan error) error {
	select {
	case ev, ok := <-events:
		if !ok {
			return errors.New("wait: the engine closed the event stream")
		}
		w.apply(ev)
		return nil
	case err := <-errs:
		return fmt.Errorf("wait: watch events: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// snapshotWait inspects the services' containers once.
func snapshotWait(ctx context.Context, eng engine.Engine, p *types.Project, services []string) (*waitState, error) {
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: services, OneOff: new(false)})
	if err != nil {
		return nil, fmt.Errorf("wait: list containers of project %q: %w", p.Name, err)
	}
	w := newWaitState(p, services)
	for _, c := range cs {
		full, err := eng.InspectContainer(ctx, c.ID)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("wait: inspect container %q: %w", c.Name, err)
		}
		w.add(full)
	}
	return w, nil
}

// waitState is what WaitReady knows of the containers; its methods are pure.
type waitState struct {
	services   []string
	oneShot    map[string]bool // completes rather than runs
	hasHealth  map[string]bool // by service: declares a healthcheck
	containers map[string]*waitContainer
}

type waitContainer struct {
	name, service string
	state         engine.State
	health        engine.Health
	healthcheck   bool
	code          int
	restart       engine.RestartPolicy
	restarts      int
	userStop      bool
}

func newWaitState(p *types.Project, services []string) *waitState {
	if len(services) == 0 {
		services = slices.Sorted(maps.Keys(p.Services))
	}
	w := &waitState{services: slices.Sorted(slices.Values(services)), oneShot: map[string]bool{},
		hasHealth: map[string]bool{}, containers: map[string]*waitContainer{}}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				w.oneShot[dep] = true
			}
		}
		w.hasHealth[name] = s.HealthCheck != nil && !s.HealthCheck.Disable
	}
	return w
}

func (w *waitState) add(c engine.Container) {
	svc := c.Labels[project.LabelService]
	w.containers[c.ID] = &waitContainer{name: c.Name, service: svc, state: c.State, health: c.Health,
		healthcheck: c.Health != engine.HealthNone || w.hasHealth[svc], code: c.ExitCode,
		restart: c.RestartPolicy, restarts: c.RestartCount}
}
