package enginetest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/engine"
)

func lifecycleCases() []testCase {
	return []testCase{
		{"StartStopStates", testStartStop},
		{"StartAndStopAreIdempotent", testIdempotentStartStop},
		{"KillGives137", testKill},
		{"ExitCodeOfQuickExit", testQuickExit},
		{"PauseUnpause", testPause},
		{"RemoveRunningNeedsForce", testRemoveRunning},
		{"RestartPolicyOnFailure", testRestartOnFailure},
		{"RestartPolicyRecorded", testRestartRecorded},
		{"PublishedPortInUse", testPortInUse},
	}
}

func testStartStop(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "sleep", "3600"))
	if st := c.inspect(t, id).State; st != engine.StateCreated {
		t.Fatalf("after create: state %q, want created", st)
	}
	c.start(t, id)
	ctr := c.inspect(t, id)
	if ctr.State != engine.StateRunning || ctr.StartedAt.IsZero() {
		t.Fatalf("after start: state %q started %v, want running", ctr.State, ctr.StartedAt)
	}
	list, err := c.eng.ListContainers(c.ctx(t), engine.ContainerFilter{Project: c.project})
	if err != nil || len(list) != 1 || !strings.HasPrefix(list[0].Status, "Up") {
		t.Errorf("listed running container: %+v %v, want status Up…", list, err)
	}
	grace := time.Duration(0)
	if err := c.eng.StopContainer(c.ctx(t), id, &grace); err != nil {
		t.Fatalf("stop: %v", err)
	}
	ctr = c.inspect(t, id)
	if ctr.State != engine.StateExited || ctr.ExitCode != 137 || ctr.FinishedAt.IsZero() {
		t.Fatalf("after stop: state %q exit %d finished %v, want exited 137", ctr.State, ctr.ExitCode, ctr.FinishedAt)
	}
	list, err = c.eng.ListContainers(c.ctx(t), engine.ContainerFilter{Project: c.project})
	if err != nil || len(list) != 1 || !strings.HasPrefix(list[0].Status, "Exited (137)") {
		t.Errorf("listed stopped container: %+v %v, want status Exited (137)…", list, err)
	}
	if err := c.eng.RemoveContainer(c.ctx(t), id, engine.RemoveOptions{}); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := c.eng.InspectContainer(c.ctx(t), id); !isNotFound(err) {
		t.Fatalf("inspect after remove: got %v, want ErrNotFound", err)
	}
}

func testIdempotentStartStop(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "sleep", "3600"))
	grace := time.Duration(0)
	if err := c.eng.StopContainer(c.ctx(t), id, &grace); err != nil {
		t.Errorf("stop of a created container: %v", err)
	}
	c.start(t, id)
	c.start(t, id)
	if st := c.inspect(t, id).State; st != engine.StateRunning {
		t.Fatalf("after two starts: state %q", st)
	}
	for range 2 {
		if err := c.eng.StopContainer(c.ctx(t), id, &grace); err != nil {
			t.Fatalf("stop: %v", err)
		}
	}
}

func testKill(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "sleep", "3600"))
	ctx := c.ctx(t)
	codes, errs := c.eng.WaitContainer(ctx, id)
	c.start(t, id)
	if err := c.eng.KillContainer(c.ctx(t), id, "SIGKILL"); err != nil {
		t.Fatalf("kill: %v", err)
	}
	if code := c.awaitExit(t, ctx, codes, errs); code != 137 {
		t.Errorf("wait after SIGKILL: %d, want 137", code)
	}
	ctr := c.inspect(t, id)
	if ctr.State != engine.StateExited || ctr.ExitCode != 137 {
		t.Errorf("after kill: state %q exit %d, want exited 137", ctr.State, ctr.ExitCode)
	}
}

func testQuickExit(t *testing.T, c *env) {
	for _, n := range []int{0, 1, 3} {
		spec := c.spec("job"+strconv.Itoa(n), "sh", "-c", "exit "+strconv.Itoa(n))
		id, code := c.run(t, spec)
		if code != n {
			t.Errorf("%q: wait gave %d, want %d", spec.Name, code, n)
		}
		ctr := c.inspect(t, id)
		if ctr.State != engine.StateExited || ctr.ExitCode != n {
			t.Errorf("%q: state %q exit %d, want exited %d", spec.Name, ctr.State, ctr.ExitCode, n)
		}
	}
	if _, code := c.run(t, c.spec("false", "false")); code != 1 {
		t.Errorf("false: exit %d, want 1", code)
	}
}

func testPause(t *testing.T, c *env) {
	rec := c.watch(t)
	id := c.create(t, c.spec("web", "sleep", "3600"))
	c.start(t, id)
	if err := c.eng.PauseContainer(c.ctx(t), id); err != nil {
		t.Fatalf("pause: %v", err)
	}
	if st := c.inspect(t, id).State; st != engine.StatePaused {
		t.Errorf("after pause: state %q", st)
	}
	if err := c.eng.UnpauseContainer(c.ctx(t), id); err != nil {
		t.Fatalf("unpause: %v", err)
	}
	if st := c.inspect(t, id).State; st != engine.StateRunning {
		t.Errorf("after unpause: state %q", st)
	}
	rec.expect(t, id, engine.EventStart, engine.EventPause, engine.EventUnpause)
}

func testRemoveRunning(t *testing.T, c *env) {
	rec := c.watch(t)
	id := c.create(t, c.spec("web", "sleep", "3600"))
	c.start(t, id)
	if err := c.eng.RemoveContainer(c.ctx(t), id, engine.RemoveOptions{}); err == nil {
		t.Fatalf("remove of a running container without force succeeded")
	}
	if st := c.inspect(t, id).State; st != engine.StateRunning {
		t.Fatalf("after refused remove: state %q", st)
	}
	if err := c.eng.RemoveContainer(c.ctx(t), id, engine.RemoveOptions{Force: true}); err != nil {
		t.Fatalf("force remove: %v", err)
	}
	rec.expect(t, id, engine.EventCreate, engine.EventStart, engine.EventDie, engine.EventDestroy)
}

func testRestartOnFailure(t *testing.T, c *env) {
	rec := c.watch(t)
	spec := c.spec("job", "sh", "-c", "exit 1")
	spec.Restart = engine.RestartPolicy{Name: "on-failure", MaxRetries: 1}
	id := c.create(t, spec)
	c.start(t, id)
	got := rec.expect(t, id, engine.EventCreate, engine.EventStart, engine.EventDie,
		engine.EventStart, engine.EventDie)
	for _, e := range got {
		if e.Action == engine.EventDie && e.ExitCode != 1 {
			t.Errorf("die event: exit code %d, want 1", e.ExitCode)
		}
	}
	ctr := c.inspect(t, id)
	if ctr.State != engine.StateExited || ctr.ExitCode != 1 || ctr.RestartCount != 1 {
		t.Errorf("after one retry: state %q exit %d restarts %d, want exited 1 with 1 restart",
			ctr.State, ctr.ExitCode, ctr.RestartCount)
	}
}

func testRestartRecorded(t *testing.T, c *env) {
	spec := c.spec("web", "sleep", "3600")
	spec.Restart = engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}
	id := c.create(t, spec)
	if got := c.inspect(t, id).RestartPolicy; got != spec.Restart {
		t.Errorf("restart policy: got %+v, want %+v", got, spec.Restart)
	}
	spec = c.spec("db", "sleep", "3600")
	spec.Restart = engine.RestartPolicy{Name: "unless-stopped"}
	id = c.create(t, spec)
	if got := c.inspect(t, id).RestartPolicy; got != spec.Restart {
		t.Errorf("restart policy: got %+v, want %+v", got, spec.Restart)
	}
}

// testPortInUse publishes one host port from two containers: the second start
// fails with the engine's "port is already allocated".
func testPortInUse(t *testing.T, c *env) {
	port := strconv.Itoa(41000 + int(time.Now().UnixNano()%2000))
	ports := []engine.PortBinding{{Target: 80, Published: port, Protocol: "tcp"}}
	a := c.spec("a", "sleep", "3600")
	a.Ports = ports
	b := c.spec("b", "sleep", "3600")
	b.Ports = ports
	ida, idb := c.create(t, a), c.create(t, b)
	c.start(t, ida)
	found := false
	for _, p := range c.inspect(t, ida).Ports {
		found = found || (strconv.Itoa(int(p.HostPort)) == port && p.ContainerPort == 80 && p.Protocol == "tcp")
	}
	if !found {
		t.Errorf("ports of %q: %+v, want %s->80/tcp", a.Name, c.inspect(t, ida).Ports, port)
	}
	err := c.eng.StartContainer(c.ctx(t), idb)
	if err == nil || !strings.Contains(err.Error(), "port is already allocated") {
		t.Fatalf("start of a second container on port %s: got %v, want \"port is already allocated\"", port, err)
	}
	if st := c.inspect(t, idb).State; st != engine.StateCreated {
		t.Errorf("after the failed start: state %q, want created", st)
	}
}
