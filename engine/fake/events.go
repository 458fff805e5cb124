package fake

import (
	"context"
	"maps"
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

// Events streams the project's container events from now on, in the order
// the engine made them, until ctx is done; then the error channel gets
// ctx's error.
func (e *Engine) Events(ctx context.Context, f engine.EventFilter) (<-chan engine.Event, <-chan error) {
	out, errs := make(chan engine.Event), make(chan error, 1)
	if err := e.enter(ctx, "Events", f.Project); err != nil {
		errs <- err
		return out, errs
	}
	s := &subscriber{project: f.Project, ready: make(chan struct{}, 1)}
	e.mu.Lock()
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	go e.forward(ctx, s, out, errs)
	return out, errs
}

func (e *Engine) forward(ctx context.Context, s *subscriber, out chan<- engine.Event, errs chan<- error) {
	defer func() {
		e.mu.Lock()
		delete(e.subs, s)
		e.mu.Unlock()
		errs <- ctx.Err()
	}()
	for {
		select {
		case <-s.ready:
		case <-ctx.Done():
			return
		}
		for _, ev := range s.take() {
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}
}

// emitLocked completes ev from c and queues it for every subscriber of
// c's project.
func (e *Engine) emitLocked(c *container, ev engine.Event) {
	ev.Time = time.Now()
	ev.ContainerID, ev.Name = c.id, c.name
	ev.Service = c.spec.Labels[project.LabelService]
	for s := range e.subs {
		if s.project == "" || s.project == c.spec.Labels[project.LabelProject] {
			ev.Labels = maps.Clone(c.spec.Labels)
			s.push(ev)
		}
	}
}
