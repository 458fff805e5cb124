package enginetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"berth/engine"
	"berth/project"
)

func isNotFound(err error) bool { return errors.Is(err, engine.ErrNotFound) }

// recorder follows the project's events from the moment it is made.
type recorder struct {
	c      *env
	events <-chan engine.Event
	errs   <-chan error
	ctx    context.Context
}

// watch subscribes to the project's events; the subscription ends with the
// test.
func (c *env) watch(t *testing.T) *recorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	events, errs := c.eng.Events(ctx, engine.EventFilter{Project: c.project})
	return &recorder{c: c, events: events, errs: errs, ctx: ctx}
}

// next returns the next event about container id whose action is one of
// actions; the engine may send other actions in between (kill before die,
// exec_* of health probes) and they are skipped. Every event must belong to
// the project.
func (r *recorder) next(t *testing.T, id string, actions ...engine.EventAction) engine.Event {
	t.Helper()
	ctx := r.c.ctx(t)
	for {
		select {
		case e := <-r.events:
			if got := e.Labels[project.LabelProject]; got != r.c.project {
				t.Fatalf("event %s of %s: project label %q, want only %q", e.Action, e.ContainerID, got, r.c.project)
			}
			if e.ContainerID == id && slices.Contains(actions, e.Action) {
				return e
			}
		case err := <-r.errs:
			t.Fatalf("events: %v", err)
		case <-ctx.Done():
			t.Fatalf("events: none of %v for %s within %v", actions, id, r.c.cfg.Timeout)
		}
	}
}

// expect reads events about container id and requires exactly the actions
// want, in order, among the events whose action appears in want.
func (r *recorder) expect(t *testing.T, id string, want ...engine.EventAction) []engine.Event {
	t.Helper()
	var got []engine.Event
	for i, a := range want {
		e := r.next(t, id, want...)
		if e.Action != a {
			t.Fatalf("event %d of %s: got %q, want %q (sequence %v)", i, id, e.Action, a, want)
		}
		got = append(got, e)
	}
	return got
}
