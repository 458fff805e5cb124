package reconciler

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"berth/engine"
	"berth/project"
)

// Supervisor follows an attached project. It feeds the engine's events to
// the pure decision function (supervisor.next) and hands each decision to
// its caller; it never restarts anything itself: the engine's restart policy
// does, so nothing restarts twice and restarts go on after berth exits.
type Supervisor struct {
	eng      engine.Reader
	state    *supervisor
	events   <-chan engine.Event
	errs     <-chan error
	stopc    chan struct{}
	stopOnce sync.Once
}

// Watch subscribes to the project's events. Call it before berth starts the
// containers it will follow, so that no event is missed; the subscription
// lasts as long as ctx. It only reads: `logs -f` follows with it too.
func Watch(ctx context.Context, eng engine.Reader, opts SuperviseOptions) *Supervisor {
	events, errs := eng.Events(ctx, engine.EventFilter{Project: opts.Project})
	return &Supervisor{
		eng:    eng,
		state:  newSupervisor(opts, nil),
		events: events,
		errs:   errs,
		stopc:  make(chan struct{}),
	}
}

// Follow adds containers to follow. Call it before Supervise.
func (s *Supervisor) Follow(ws ...Watched) {
	for _, w := range ws {
		s.state.track(w)
	}
}

// Stop tells the supervisor that berth is stopping the project (Ctrl-C):
// containers that die from now on stay down. Safe from any goroutine.
func (s *Supervisor) Stop() { s.stopOnce.Do(func() { close(s.stopc) }) }

// Supervise runs until every followed container has exited for good and
// returns the run's exit code. handle receives the decisions in order, on
// Supervise's goroutine; it must not block for long.
func (s *Supervisor) Supervise(ctx context.Context, handle func(Decision)) (int, error) {
	if code, done := emit(s.state.start(), handle); done {
		return code, nil
	}
	stopc, errs := s.stopc, s.errs
	for {
		select {
		case <-stopc:
			stopc = nil
			if code, done := emit(s.state.stop(), handle); done {
				return code, nil
			}
		case ev, ok := <-s.events:
			if !ok {
				return 0, errors.New("watch events: the engine closed the event stream")
			}
			s.discover(ctx, ev)
			if code, done := emit(s.state.next(ev), handle); done {
				return code, nil
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			return 0, fmt.Errorf("watch events: %w", err)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// discover follows a container of the project that appears while attached
// (scaled up, or recreated from another terminal).
func (s *Supervisor) discover(ctx context.Context, ev engine.Event) {
	if s.state.knows(ev.ContainerID) || (ev.Action != engine.EventCreate && ev.Action != engine.EventStart) {
		return
	}
	service := ev.Service
	if service == "" {
		service = ev.Labels[project.LabelService]
	}
	if ev.Labels[project.LabelOneOff] == "True" || !s.state.wants(service) {
		return
	}
	c, err := s.eng.InspectContainer(ctx, ev.ContainerID)
	if err != nil { // gone already: nothing to follow
		return
	}
	w := WatchedFrom(c, false)
	w.Running = false // the start event we are handling makes it run
	s.state.track(w)
}

// emit hands decisions over and reports the exit code once Done is among them.
func emit(ds []Decision, handle func(Decision)) (code int, done bool) {
	for _, d := range ds {
		handle(d)
		if d.Kind == Done {
			return d.Code, true
		}
	}
	return 0, false
}

// WatchedFrom describes an engine container for the supervisor. attached
// says its output is streamed already. An exited container counts as
// exited for good. A replacement still under its temporary name (a
// recreate in flight) is named by the name it takes.
func WatchedFrom(c engine.Container, attached bool) Watched {
	name := c.Name
	if final := c.Labels[project.LabelReplaces]; final != "" {
		name = final
	}
	w := Watched{
		ID:           c.ID,
		Name:         name,
		Service:      c.Labels[project.LabelService],
		Restart:      c.RestartPolicy,
		RestartCount: c.RestartCount,
		Running:      c.State == engine.StateRunning || c.State == engine.StateRestarting,
		Attached:     attached,
	}
	if c.State == engine.StateExited || c.State == engine.StateDead || c.State == engine.StateCreated {
		w.ExitedAt = c.FinishedAt
		if w.ExitedAt.IsZero() {
			w.ExitedAt = c.Created
		}
	}
	return w
}
