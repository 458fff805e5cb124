package enginetest

import (
	"slices"
	"testing"
	"time"

	"berth/engine"
	"berth/project"
)

func eventCases() []testCase {
	return []testCase{
		{"EventsOfRunToExit", testEventsRun},
		{"EventsOfStop", testEventsStop},
		{"EventsOfKill", testEventsKill},
		{"EventsOfHealthcheck", testEventsHealth},
		{"EventsOnlyOfTheProject", testEventsProjectOnly},
		{"EventsSinceUntil", testEventsSinceUntil},
	}
}

func testEventsRun(t *testing.T, c *env) {
	rec := c.watch(t)
	spec := c.spec("job", "sh", "-c", "exit 3")
	id, _ := c.run(t, spec)
	got := rec.expect(t, id, engine.EventCreate, engine.EventStart, engine.EventDie)
	die := got[2]
	if die.ExitCode != 3 {
		t.Errorf("die: exit code %d, want 3", die.ExitCode)
	}
	if die.Name != spec.Name || die.Service != "job" || die.Time.IsZero() {
		t.Errorf("die: name %q service %q time %v", die.Name, die.Service, die.Time)
	}
	if err := c.eng.RemoveContainer(c.ctx(t), id, engine.RemoveOptions{}); err != nil {
		t.Fatalf("remove: %v", err)
	}
	rec.expect(t, id, engine.EventDestroy)
}

func testEventsStop(t *testing.T, c *env) {
	rec := c.watch(t)
	id := c.create(t, c.spec("web", "sleep", "3600"))
	c.start(t, id)
	grace := time.Duration(0)
	if err := c.eng.StopContainer(c.ctx(t), id, &grace); err != nil {
		t.Fatalf("stop: %v", err)
	}
	rec.expect(t, id, engine.EventCreate, engine.EventStart)
	// die and stop come in either order: the engine sends stop when its
	// stop call sees the container not running, and die from the exit
	// handler, which marks it not running first. Engine 20.10 mostly sends
	// die first, Engine 29 often stop first.
	first := rec.next(t, id, engine.EventDie, engine.EventStop)
	want := engine.EventDie
	if first.Action == engine.EventDie {
		want = engine.EventStop
	}
	second := rec.next(t, id, want)
	die := first
	if second.Action == engine.EventDie {
		die = second
	}
	// A stop without grace kills the process: 137. Engine 20.10 under load
	// was seen once to report 2 for a process killed as it started (the
	// runtime's own exit); what the adapter must show is the engine's
	// non-zero code, so that is the contract, and other codes are logged.
	if die.ExitCode == 0 {
		t.Errorf("die after stop: exit code 0, want the kill's (137)")
	} else if die.ExitCode != 137 {
		t.Logf("die after stop: exit code %d (137 expected from the kill)", die.ExitCode)
	}
}

func testEventsKill(t *testing.T, c *env) {
	rec := c.watch(t)
	id := c.create(t, c.spec("web", "sleep", "3600"))
	c.start(t, id)
	rec.expect(t, id, engine.EventCreate, engine.EventStart)
	if err := c.eng.KillContainer(c.ctx(t), id, "SIGKILL"); err != nil {
		t.Fatalf("kill: %v", err)
	}
	got := rec.expect(t, id, engine.EventKill, engine.EventDie)
	if got[0].Signal == "" || got[1].ExitCode != 137 {
		t.Errorf("kill: signal %q, die exit %d, want a signal and 137", got[0].Signal, got[1].ExitCode)
	}
}

func testEventsHealth(t *testing.T, c *env) {
	rec := c.watch(t)
	spec := c.spec("web", "sleep", "3600")
	spec.Healthcheck = &engine.Healthcheck{Test: []string{"CMD", "true"}, Interval: 100 * time.Millisecond}
	id := c.create(t, spec)
	c.start(t, id)
	got := rec.expect(t, id, engine.EventCreate, engine.EventStart, engine.EventHealth)
	if got[2].Health != engine.HealthHealthy {
		t.Errorf("health_status event: %q, want healthy", got[2].Health)
	}
	if h := c.inspect(t, id).Health; h != engine.HealthHealthy {
		t.Errorf("inspected health %q, want healthy", h)
	}
}

func testEventsProjectOnly(t *testing.T, c *env) {
	other := newCase(t, c.cfg, c.eng)
	rec := c.watch(t) // next fails on any event of another project
	other.run(t, other.spec("job", "true"))
	id, _ := c.run(t, c.spec("job", "true"))
	rec.expect(t, id, engine.EventCreate, engine.EventStart, engine.EventDie)
}

// testEventsSinceUntil subscribes after a container has run: Since replays
// its events, and the stream ends by itself at Until.
func testEventsSinceUntil(t *testing.T, c *env) {
	since := time.Now().Add(-time.Second) // the engine's timestamps may lag a little
	id, _ := c.run(t, c.spec("job", "true"))
	until := time.Now().Add(2 * time.Second) // the die event is stamped around the exit
	events, errs := c.eng.Events(c.ctx(t), engine.EventFilter{Project: c.project, Since: since, Until: until})
	var got []engine.EventAction
	for e := range events {
		if got := e.Labels[project.LabelProject]; got != c.project {
			t.Fatalf("event %s of %s: project label %q, want only %q", e.Action, e.ContainerID, got, c.project)
		}
		if e.Time.Before(since) || e.Time.After(until) {
			t.Errorf("event %s at %v: outside [%v, %v]", e.Action, e.Time, since, until)
		}
		if e.ContainerID == id && (e.Action == engine.EventCreate || e.Action == engine.EventStart || e.Action == engine.EventDie) {
			got = append(got, e.Action)
		}
	}
	if err := <-errs; err != nil {
		t.Fatalf("events: %v", err)
	}
	if time.Now().Before(until) {
		t.Errorf("stream ended at %v, before until %v", time.Now(), until)
	}
	want := []engine.EventAction{engine.EventCreate, engine.EventStart, engine.EventDie}
	if !slices.Equal(got, want) {
		t.Errorf("replayed events of %s: %v, want %v", id, got, want)
	}
	// An Until already past: the replay, then the end, at once.
	events, errs = c.eng.Events(c.ctx(t), engine.EventFilter{Project: c.project, Since: since, Until: time.Now().Add(-time.Millisecond)})
	n := 0
	for range events {
		n++
	}
	if err := <-errs; err != nil {
		t.Fatalf("events until a past time: %v", err)
	}
	if n < 3 {
		t.Errorf("events until a past time: %d events, want at least the 3 of %s", n, id)
	}
}
