package fake

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"berth/engine"
	"berth/project"
)

// subscriber is one Events call. Its queue is unbounded so that the engine,
// which emits under its lock, never waits for a slow reader, and events
// keep their order.
type subscriber struct {
	project string
	mu      sync.Mutex
	queue   []engine.Event
	ready   chan struct{} // has a value when queue is not empty
}

func (s *subscriber) push(ev engine.Event) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *subscriber) take() []engine.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

// historySize is how many past events the engine remembers for Since.
const historySize = 4096

// Events streams the project's container events from now on, or from
// f.Since (the remembered ones first), in the order the engine made them,
// until ctx is done (then the error channel gets ctx's error) or the clock
// passes f.Until (then both channels close).
func (e *Engine) Events(ctx context.Context, f engine.EventFilter) (<-chan engine.Event, <-chan error) {
	out, errs := make(chan engine.Event), make(chan error, 1)
	if err := e.enter(ctx, "Events", f.Project); err != nil {
		errs <- err
		return out, errs
	}
	s := &subscriber{project: f.Project, ready: make(chan struct{}, 1)}
	e.mu.Lock()
	if !f.Since.IsZero() {
		for _, ev := range e.history {
			if !ev.Time.Before(f.Since) && s.wants(ev) {
				s.push(ev)
			}
		}
	}
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	go e.forward(ctx, s, f.Until, out, errs)
	return out, errs
}

// wants tells whether ev is of the subscriber's project.
func (s *subscriber) wants(ev engine.Event) bool {
	return s.project == "" || s.project == ev.Labels[project.LabelProject]
}

func (e *Engine) forward(ctx context.Context, s *subscriber, until time.Time, out chan<- engine.Event, errs chan<- error) {
	var end <-chan time.Time // fires at until
	if !until.IsZero() {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		end = t.C
	}
	ended := false
	defer func() {
		e.mu.Lock()
		delete(e.subs, s)
		e.mu.Unlock()
		if ended {
			close(out)
			close(errs)
			return
		}
		errs <- ctx.Err()
	}()
	for {
		select {
		case <-s.ready:
		case <-end:
			ended = true
		case <-ctx.Done():
			return
		}
		for _, ev := range s.take() {
			if !until.IsZero() && ev.Time.After(until) {
				ended = true
				return
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
		if ended {
			return
		}
	}
}

// emitLocked completes ev from c and queues it for every subscriber of
// c's project.
func (e *Engine) emitLocked(c *container, ev engine.Event) {
	ev.Time = time.Now()
	ev.ContainerID, ev.Name = c.id, c.name
	ev.Service = c.spec.Labels[project.LabelService]
	ev.Labels = c.spec.Labels
	e.history = append(e.history, withLabels(ev))
	if len(e.history) > historySize {
		e.history = slices.Delete(e.history, 0, len(e.history)-historySize)
	}
	for s := range e.subs {
		if s.wants(ev) {
			s.push(withLabels(ev))
		}
	}
}

// withLabels is ev with its own copy of the labels.
func withLabels(ev engine.Event) engine.Event {
	ev.Labels = maps.Clone(ev.Labels)
	return ev
}
