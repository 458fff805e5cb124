package reconciler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"berth/engine"
)

// healthHub fans the project's health and exit events out to the waits.
// It is fed by one event subscription made before any container starts.
type healthHub struct {
	mu      sync.Mutex
	waiters map[string][]chan engine.Event // by container name
	err     error                          // the subscription failed
	broken  chan struct{}
}

func watchHealth(ctx context.Context, eng engine.Engine, projectName string) *healthHub {
	h := &healthHub{waiters: map[string][]chan engine.Event{}, broken: make(chan struct{})}
	events, errs := eng.Events(ctx, engine.EventFilter{Project: projectName})
	go h.feed(ctx, events, errs)
	return h
}

func (h *healthHub) feed(ctx context.Context, events <-chan engine.Event, errs <-chan error) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				h.fail(fmt.Errorf("the engine closed the event stream"))
				return
			}
			if ev.Action == engine.EventHealth || ev.Action == engine.EventDie {
				h.publish(ev)
			}
		case err := <-errs:
			h.fail(err)
			return
		case <-ctx.Done():
			return
		}
	}
}

func (h *healthHub) publish(ev engine.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.waiters[ev.Name] {
		select {
		case c <- ev:
		default: // the waiter has a verdict coming already
		}
	}
}

func (h *healthHub) fail(err error) {
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
	close(h.broken)
}

// subscribe registers a waiter for container name's events.
func (h *healthHub) subscribe(name string) (<-chan engine.Event, func()) {
	c := make(chan engine.Event, 4)
	h.mu.Lock()
	h.waiters[name] = append(h.waiters[name], c)
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		ws := h.waiters[name]
		for i, w := range ws {
			if w == c {
				h.waiters[name] = append(ws[:i], ws[i+1:]...)
				break
			}
		}
	}
}

// waitHealthy returns once the container reports healthy. It subscribes
// first, then looks once at the current status, so an event that came
// before the subscription is not missed; from then on it only listens.
func (a *applier) waitHealthy(ctx context.Context, act Action) error {
	ctx, cancel := withTimeout(ctx, act)
	defer cancel()
	events, unsubscribe := a.health.subscribe(act.Target)
	defer unsubscribe()
	c, err := a.eng.InspectContainer(ctx, act.Target)
	if err != nil {
		return failure(act, "inspect container", err)
	}
	if done, err := healthVerdict(act, c.Health, c.State != engine.StateRunning && c.State != engine.StateRestarting, c.ExitCode); done {
		return err
	}
	if c.Health == engine.HealthNone {
		return a.noHealthcheck(ctx, act, events)
	}
	for {
		select {
		case ev := <-events:
			if done, err := healthVerdict(act, ev.Health, ev.Action == engine.EventDie, ev.ExitCode); done {
				return err
			}
		case <-a.health.broken:
			return failure(act, "watch events", a.health.err)
		case <-ctx.Done():
			return failure(act, "wait healthy", ctx.Err())
		}
	}
}

// exitGrace is how long a running dependency without a healthcheck is
// given to exit before the wait fails for want of a healthcheck. A
// program that fails at once (sh -c "exit 1") is still "running" when
// it is inspected right after its start; Docker Compose's first look
// comes half a second after the start, and by then it reads "exited".
const exitGrace = 500 * time.Millisecond

// noHealthcheck ends the wait on a dependency that has no healthcheck and
// is running: it can never turn healthy. Its die event, when it comes
// within exitGrace, makes the exit the reason, as Compose reports it.
func (a *applier) noHealthcheck(ctx context.Context, act Action, events <-chan engine.Event) error {
	grace := time.NewTimer(exitGrace)
	defer grace.Stop()
	for {
		select {
		case ev := <-events:
			if ev.Action == engine.EventDie {
				_, err := healthVerdict(act, engine.HealthNone, true, ev.ExitCode)
				return err
			}
		case <-grace.C:
			return fmt.Errorf("dependency failed to start: container %s has no healthcheck configured", act.Target)
		case <-a.health.broken:
			return failure(act, "watch events", a.health.err)
		case <-ctx.Done():
			return failure(act, "wait healthy", ctx.Err())
		}
	}
}

// healthVerdict says whether waiting is over, and how it ended.
func healthVerdict(act Action, h engine.Health, exited bool, code int) (bool, error) {
	switch {
	case exited:
		return true, fmt.Errorf("dependency failed to start: container %s exited (%d)", act.Target, code)
	case h == engine.HealthHealthy:
		return true, nil
	case h == engine.HealthUnhealthy:
		return true, fmt.Errorf("dependency failed to start: container %s is unhealthy", act.Target)
	}
	return false, nil
}
