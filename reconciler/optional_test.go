package reconciler_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// warnings collects the warning lines Up reports.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) Event(e reconciler.ProgressEvent) {
	if e.Kind == "Warning" {
		w.mu.Lock()
		w.lines = append(w.lines, e.Line)
		w.mu.Unlock()
	}
}

func (w *warnings) String() string { return strings.Join(w.lines, "\n") }

const optionalDep = `
services:
  db:
    image: busybox
    command: [sleep, inf]
    healthcheck: {test: [CMD, probe-the-fake-cannot-run], interval: 1h}
  cache: {image: busybox, command: [sleep, inf]}
  web:
    image: busybox
    command: [sleep, inf]
    depends_on:
      db: {condition: service_healthy, required: false}
      cache: {condition: service_started, required: false}
`

func TestOptionalDependencyUnhealthyDoesNotBlock(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, optionalDep)
	ctx := t.Context()
	events, _ := eng.Events(ctx, engine.EventFilter{Project: p.Name})
	var w warnings
	done := make(chan error, 1)
	go func() {
		_, err := reconciler.Up(ctx, eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, &w)
		done <- err
	}()
	for ev := range events {
		if ev.Action == engine.EventStart && ev.Name == "demo-db-1" {
			if err := eng.SetHealth("demo-db-1", engine.HealthUnhealthy); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("up: %v", err)
	}
	if st := states(t, eng, p)["demo-web-1"]; st != engine.StateRunning {
		t.Errorf("web is %s", st)
	}
	if !strings.Contains(w.String(), "demo-db-1 is unhealthy") || !strings.Contains(w.String(), `optional dependency "db"`) {
		t.Errorf("warnings:\n%s", w.String())
	}
}

func TestOptionalDependencyFailingStartDoesNotBlock(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, optionalDep)
	eng.FailNextOn("StartContainer", "demo-cache-1", errors.New("cannot start"))
	eng.FailNextOn("StartContainer", "demo-db-1", errors.New("cannot start"))
	var w warnings
	_, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, &w)
	if err == nil || !strings.Contains(err.Error(), `service "cache"`) || !strings.Contains(err.Error(), `service "db"`) {
		t.Fatalf("up: %v (the failed starts are still errors)", err)
	}
	if st := states(t, eng, p)["demo-web-1"]; st != engine.StateRunning {
		t.Errorf("web is %s", st)
	}
	for _, dep := range []string{"cache", "db"} {
		if !strings.Contains(w.String(), `optional dependency "`+dep+`"`) {
			t.Errorf("no warning about %s:\n%s", dep, w.String())
		}
	}
}

func TestRequiredDependencyFailingStartBlocks(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, `
services:
  cache: {image: busybox, command: [sleep, inf]}
  web: {image: busybox, command: [sleep, inf], depends_on: {cache: {condition: service_started, required: true}}}
`)
	eng.FailNextOn("StartContainer", "demo-cache-1", errors.New("cannot start"))
	if err := up(t, eng, p, reconciler.UpOptions{}); err == nil {
		t.Fatal("up succeeded")
	}
	if st := states(t, eng, p)["demo-web-1"]; st == engine.StateRunning {
		t.Error("web started although a required dependency failed")
	}
}
