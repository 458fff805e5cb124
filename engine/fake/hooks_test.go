package fake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/fake"
	"berth/imagebuild"
	"berth/project"
)

const img = "berth-test/busybox:latest"

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func spec(proj, svc string, cmd ...string) engine.ContainerSpec {
	return engine.ContainerSpec{
		Name: proj + "-" + svc + "-1", Image: img, Command: cmd,
		Labels: map[string]string{project.LabelProject: proj, project.LabelService: svc},
	}
}

func mustCreate(t *testing.T, e *fake.Engine, s engine.ContainerSpec) string {
	t.Helper()
	id, err := e.CreateContainer(ctx(t), s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// events subscribes to the project's events and returns a function that
// gives the next one.
func events(t *testing.T, e *fake.Engine, proj string) func() engine.Event {
	c, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, errs := e.Events(c, engine.EventFilter{Project: proj})
	return func() engine.Event {
		t.Helper()
		select {
		case ev := <-ch:
			return ev
		case err := <-errs:
			t.Fatalf("events: %v", err)
		case <-ctx(t).Done():
			t.Fatalf("no event")
		}
		return engine.Event{}
	}
}

func TestCallsCounted(t *testing.T) {
	e := fake.New(img)
	id := mustCreate(t, e, spec("p", "web", "sleep", "3600"))
	_, _ = e.InspectContainer(ctx(t), id)
	_, _ = e.InspectContainer(ctx(t), "missing")
	if got := e.Calls("CreateContainer"); got != 1 {
		t.Errorf("CreateContainer calls: %d", got)
	}
	if got := e.Calls("InspectContainer"); got != 2 {
		t.Errorf("InspectContainer calls (failed one included): %d", got)
	}
	e.ResetCalls()
	if got := e.AllCalls(); len(got) != 0 {
		t.Errorf("after reset: %v", got)
	}
}

func TestFailNext(t *testing.T) {
	e := fake.New(img)
	boom := errors.New("boom")
	e.FailNext("CreateContainer", boom)
	if _, err := e.CreateContainer(ctx(t), spec("p", "web", "true")); !errors.Is(err, boom) {
		t.Fatalf("first create: %v, want boom", err)
	}
	if _, err := e.CreateContainer(ctx(t), spec("p", "web", "true")); err != nil {
		t.Fatalf("second create: %v, want success", err)
	}
	list, _ := e.ListContainers(ctx(t), engine.ContainerFilter{Project: "p"})
	if len(list) != 1 {
		t.Errorf("a failed create made a container: %d containers", len(list))
	}
}

func TestFailNextOnTarget(t *testing.T) {
	e := fake.New(img)
	web := mustCreate(t, e, spec("p", "web", "true"))
	db := mustCreate(t, e, spec("p", "db", "true"))
	boom := errors.New("boom")
	e.FailNextOn("StartContainer", "p-db-1", boom) // by name; the call uses the ID
	if err := e.StartContainer(ctx(t), web); err != nil {
		t.Fatalf("start web: %v", err)
	}
	if err := e.StartContainer(ctx(t), db); !errors.Is(err, boom) {
		t.Fatalf("start db: %v, want boom", err)
	}
}

func TestReservedPortFailsStart(t *testing.T) {
	e := fake.New(img)
	s := spec("p", "web", "sleep", "3600")
	s.Ports = []engine.PortBinding{{Target: 80, Published: "8080", Protocol: "tcp"}}
	id := mustCreate(t, e, s)
	e.ReservePort(8080)
	err := e.StartContainer(ctx(t), id)
	if err == nil || !strings.Contains(err.Error(), "Bind for 0.0.0.0:8080 failed: port is already allocated") {
		t.Fatalf("start: %v", err)
	}
	e.ReleasePort(8080)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatalf("start after release: %v", err)
	}
}

func TestEphemeralPorts(t *testing.T) {
	e := fake.New(img)
	s := spec("p", "web", "sleep", "3600")
	s.Ports = []engine.PortBinding{{Target: 80, Protocol: "tcp"}, {Target: 53, Protocol: "udp"}}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	c, _ := e.InspectContainer(ctx(t), id)
	if len(c.Ports) != 2 || c.Ports[0].HostPort == 0 || c.Ports[1].Protocol != "udp" {
		t.Errorf("ports: %+v", c.Ports)
	}
}

func TestSetHealth(t *testing.T) {
	e := fake.New(img)
	next := events(t, e, "p")
	s := spec("p", "web", "sleep", "3600")
	s.Healthcheck = &engine.Healthcheck{Test: []string{"CMD", "curl", "-f", "http://localhost"}}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.InspectContainer(ctx(t), id); c.Health != engine.HealthStarting || !strings.HasSuffix(c.Status, "(health: starting)") {
		t.Errorf("before SetHealth: %q %q", c.Health, c.Status)
	}
	if err := e.SetHealth(id, engine.HealthUnhealthy); err != nil {
		t.Fatal(err)
	}
	for _, want := range []engine.EventAction{engine.EventCreate, engine.EventStart, engine.EventHealth} {
		if ev := next(); ev.Action != want {
			t.Fatalf("event %q, want %q", ev.Action, want)
		}
	}
	if c, _ := e.InspectContainer(ctx(t), id); c.Health != engine.HealthUnhealthy {
		t.Errorf("after SetHealth: %q", c.Health)
	}
	if err := e.SetHealth("missing", engine.HealthHealthy); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("SetHealth of a missing container: %v", err)
	}
}

func TestProbeSeesFiles(t *testing.T) {
	e := fake.New(img)
	next := events(t, e, "p")
	s := spec("p", "web", "sh", "-c", "sleep 0.05; touch /tmp/ready; sleep infinity")
	s.Healthcheck = &engine.Healthcheck{Test: []string{"CMD-SHELL", "test -f /tmp/ready"},
		Interval: 10 * time.Millisecond, Retries: 1000}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	for ev := next(); ev.Action != engine.EventHealth; ev = next() {
	}
	if c, _ := e.InspectContainer(ctx(t), id); c.Health != engine.HealthHealthy {
		t.Errorf("health %q, want healthy once /tmp/ready exists", c.Health)
	}
}

func TestUnhealthyAfterRetries(t *testing.T) {
	e := fake.New(img)
	next := events(t, e, "p")
	s := spec("p", "web", "sleep", "3600")
	s.Healthcheck = &engine.Healthcheck{Test: []string{"CMD", "false"}, Interval: time.Millisecond, Retries: 2}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	ev := next()
	for ; ev.Action != engine.EventHealth; ev = next() {
	}
	if ev.Health != engine.HealthUnhealthy {
		t.Errorf("health_status %q, want unhealthy", ev.Health)
	}
}

func TestAlwaysRestartsUntilStopped(t *testing.T) {
	e := fake.New(img)
	e.SetRestartDelay(time.Millisecond)
	next := events(t, e, "p")
	s := spec("p", "job", "sh", "-c", "exit 2")
	s.Restart = engine.RestartPolicy{Name: "always"}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	want := []engine.EventAction{"create", "start", "die", "start", "die", "start"}
	for i, a := range want {
		if ev := next(); ev.Action != a {
			t.Fatalf("event %d: %q, want %q", i, ev.Action, a)
		}
	}
	if err := e.StopContainer(ctx(t), id, nil); err != nil {
		t.Fatal(err)
	}
	c, _ := e.InspectContainer(ctx(t), id)
	if c.State != engine.StateExited || c.RestartCount < 2 {
		t.Errorf("after stop: %q, %d restarts", c.State, c.RestartCount)
	}
}

func TestOnFailureStopsAfterMax(t *testing.T) {
	e := fake.New(img)
	e.SetRestartDelay(time.Millisecond)
	next := events(t, e, "p")
	s := spec("p", "job", "sh", "-c", "exit 1")
	s.Restart = engine.RestartPolicy{Name: "on-failure", MaxRetries: 2}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	dies := 0
	for dies < 3 {
		if next().Action == engine.EventDie {
			dies++
		}
	}
	c, _ := e.InspectContainer(ctx(t), id)
	if c.State != engine.StateExited || c.RestartCount != 2 {
		t.Errorf("after 3 runs: %q, %d restarts", c.State, c.RestartCount)
	}
	// A start by the user counts from zero again: once its run dies, the
	// one restart scheduled makes the count 1, not 3. The long delay keeps
	// that restart from running (and counting on) before the look.
	e.SetRestartDelay(time.Hour)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	for next().Action != engine.EventDie {
	}
	if c, _ := e.InspectContainer(ctx(t), id); c.RestartCount != 1 {
		t.Errorf("after a start by the user and its exit: restart count %d, want 1", c.RestartCount)
	}
}

func TestBuildRecorded(t *testing.T) {
	e := fake.New()
	var lines []string
	id, err := e.BuildImage(ctx(t), buildRequest(t, "app:1", "FROM scratch\nCOPY . /\n"), func(m imagebuild.Message) {
		if m.Line != "" {
			lines = append(lines, m.Line)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	b := e.Builds()
	if len(b) != 1 || b[0].ID != id || b[0].Files["Dockerfile"] == "" || b[0].Request.Tags[0] != "app:1" {
		t.Fatalf("builds: %+v", b)
	}
	if len(lines) != 4 || lines[0] != "Step 1/2 : FROM scratch" {
		t.Errorf("output: %q", lines)
	}
	if _, err := e.InspectImage(ctx(t), "app:1"); err != nil {
		t.Errorf("inspect built image: %v", err)
	}
	req := buildRequest(t, "app:2", "")
	req.Dockerfile = "other.Dockerfile"
	if _, err := e.BuildImage(ctx(t), req, nil); err == nil || !strings.Contains(err.Error(), "Cannot locate specified Dockerfile") {
		t.Errorf("build without its Dockerfile: %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	e := fake.New(img)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.CreateContainer(c, spec("p", "web", "true")); !errors.Is(err, context.Canceled) {
		t.Errorf("create with a cancelled context: %v", err)
	}
	codes, errs := e.WaitContainer(c, "p-web-1")
	select {
	case err := <-errs:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("wait: %v", err)
		}
	case code := <-codes:
		t.Errorf("wait gave %d", code)
	}
}

func TestEventsEndWithContext(t *testing.T) {
	e := fake.New(img)
	c, cancel := context.WithCancel(context.Background())
	_, errs := e.Events(c, engine.EventFilter{Project: "p"})
	cancel()
	select {
	case err := <-errs:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("events error %v", err)
		}
	case <-ctx(t).Done():
		t.Fatal("events did not end")
	}
}

func TestImageReferences(t *testing.T) {
	e := fake.New("busybox")
	for _, ref := range []string{"busybox", "busybox:latest", "docker.io/library/busybox:latest"} {
		if _, err := e.InspectImage(ctx(t), ref); err != nil {
			t.Errorf("inspect %q: %v", ref, err)
		}
	}
	img, _ := e.InspectImage(ctx(t), "busybox")
	if _, err := e.InspectImage(ctx(t), img.ID[7:19]); err != nil {
		t.Errorf("inspect by short ID: %v", err)
	}
	id := mustCreate(t, e, engine.ContainerSpec{Name: "c", Image: "busybox"})
	if err := e.RemoveImage(ctx(t), "busybox", false); err == nil {
		t.Errorf("removed an image a container uses")
	}
	_ = e.RemoveContainer(ctx(t), id, engine.RemoveOptions{})
	if err := e.RemoveImage(ctx(t), "busybox", false); err != nil {
		t.Errorf("remove: %v", err)
	}
}
