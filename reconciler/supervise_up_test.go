package reconciler_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// output is attached up's Output that keeps every line shown and every
// decision made.
type output struct {
	mu        sync.Mutex
	wg        sync.WaitGroup
	lines     []string // "container: text"
	decisions []string
	progress  []string // "Container name  Status"
}

func (o *output) Event(e reconciler.ProgressEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.progress = append(o.progress, e.Kind+" "+e.Name+"  "+e.Status)
}

func (o *output) Stream(container, _ string, s engine.Stream) {
	for _, r := range []io.Reader{s.Stdout, s.Stderr} {
		o.wg.Go(func() {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				o.mu.Lock()
				o.lines = append(o.lines, container+": "+sc.Text())
				o.mu.Unlock()
			}
		})
	}
}

func (o *output) Decision(d reconciler.Decision) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.decisions = append(o.decisions, d.String())
}

func (o *output) snapshot() (lines, decisions, progress []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.lines), slices.Clone(o.decisions), slices.Clone(o.progress)
}

// attachedUp runs attached up to the end of Up.
func attachedUp(t *testing.T, eng engine.Engine, yaml string, env map[string]string, ao reconciler.AttachOptions) (*reconciler.AttachedUp, *output) {
	t.Helper()
	p := load(t, yaml)
	for k, v := range env {
		p.Environment[k] = v
	}
	out := &output{}
	u, err := reconciler.NewAttachedUp(t.Context(), eng, p, reconciler.UpOptions{InjectKey: []byte("test inject key, 32 bytes long..")}, ao, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	if _, err := u.Up(t.Context(), reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	return u, out
}

// supervised runs Supervise to its end, at most 20 seconds.
func supervised(t *testing.T, u *reconciler.AttachedUp) int {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		code, err := u.Supervise()
		if err != nil {
			t.Errorf("Supervise: %v", err)
		}
		done <- code
	}()
	select {
	case code := <-done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatal("Supervise did not end")
		return 0
	}
}

// callOrder is the fake, noting the order of the attach and start calls.
type callOrder struct {
	*fake.Engine
	mu    sync.Mutex
	calls []string
}

func (e *callOrder) note(call string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, call)
}

func (e *callOrder) Attach(ctx context.Context, id string) (engine.Stream, error) {
	e.note("attach " + id)
	return e.Engine.Attach(ctx, id)
}

func (e *callOrder) StartContainer(ctx context.Context, id string) error {
	e.note("start " + id)
	return e.Engine.StartContainer(ctx, id)
}

// Regression: attached up lost secrets and configs given by environment:
// or content: ("this engine cannot copy files into containers"), because
// the engine it converged with was a wrapper in cmd. The one-shot reads its
// secret inside the container and prints it as its first line, which the
// attach before its start shows.
func TestAttachedUpReadsEnvironmentSecret(t *testing.T) {
	eng := &callOrder{Engine: fake.New("busybox")}
	u, out := attachedUp(t, eng, `
services:
  job:
    image: busybox
    command: [cat, /run/secrets/token, /etc/app.conf]
    secrets: [token]
    configs: [{source: conf, target: /etc/app.conf}]
secrets:
  token: {environment: TOKEN}
configs:
  conf: {content: "port=80"}
`, map[string]string{"TOKEN": "s3cret"}, reconciler.AttachOptions{})
	if code := supervised(t, u); code != 0 {
		t.Errorf("exit code %d", code)
	}
	out.wg.Wait()
	lines, decisions, _ := out.snapshot()
	if !slices.Equal(lines, []string{"demo-job-1: s3cretport=80"}) {
		t.Errorf("lines %q, want the secret and the config read in the container", lines)
	}
	if want := []string{"exit demo-job-1 code=0", "done code=0"}; !slices.Equal(decisions, want) {
		t.Errorf("decisions %q, want %q", decisions, want)
	}
	if want := []string{"attach demo-job-1", "start demo-job-1"}; !slices.Equal(eng.calls, want) {
		t.Errorf("calls %q, want %q", eng.calls, want)
	}
}

// Ctrl-C stops through the stop plan: the dependent is stopped (its die
// seen) before its dependency is asked to stop; the run then ends.
func TestAttachedUpInterruptStopsDependentsFirst(t *testing.T) {
	eng := fake.New("busybox")
	u, out := attachedUp(t, eng, `
services:
  web: {image: busybox, command: [sleep, inf], depends_on: [db]}
  db: {image: busybox, command: [sleep, inf]}
`, nil, reconciler.AttachOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events, _ := eng.Events(ctx, engine.EventFilter{Project: "demo"})
	if !u.Interrupt() {
		t.Fatal("the first Ctrl-C did not begin a graceful stop")
	}
	if code := supervised(t, u); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if u.Interrupt() {
		t.Error("a second Ctrl-C began another graceful stop")
	}
	var seen []string
	for len(seen) < 4 {
		ev := <-events
		if ev.Action == engine.EventKill || ev.Action == engine.EventDie {
			seen = append(seen, fmt.Sprintf("%s %s", ev.Action, ev.Service))
		}
	}
	// The fake stops as a busybox PID 1 does: the stop signal, then SIGKILL.
	if want := []string{"kill web", "kill web", "die web", "kill db"}; !slices.Equal(seen, want) {
		t.Errorf("events %q, want %q", seen, want)
	}
	_, decisions, progress := out.snapshot()
	if want := []string{"exit demo-db-1 code=137", "exit demo-web-1 code=137", "done code=0"}; !slices.Equal(sortedExits(decisions), want) {
		t.Errorf("decisions %q", decisions)
	}
	if want := []string{"Container demo-web-1  Stopping", "Container demo-web-1  Stopped", "Container demo-db-1  Stopping", "Container demo-db-1  Stopped"}; !slices.Equal(progress, want) {
		t.Errorf("stop progress %q, want %q", progress, want)
	}
}

// Ctrl-C on `up web` stops web, the service named, and leaves db, which
// only came up as its dependency, running.
func TestAttachedUpInterruptStopsNamedServicesOnly(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, `
services:
  web: {image: busybox, command: [sleep, inf], depends_on: [db]}
  db: {image: busybox, command: [sleep, inf]}
`)
	out := &output{}
	u, err := reconciler.NewAttachedUp(t.Context(), eng, p, reconciler.UpOptions{Services: []string{"web"}}, reconciler.AttachOptions{}, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	if _, err := u.Up(t.Context(), reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	if !u.Interrupt() {
		t.Fatal("the first Ctrl-C did not begin a graceful stop")
	}
	supervised(t, u)
	_, _, progress := out.snapshot()
	if want := []string{"Container demo-web-1  Stopping", "Container demo-web-1  Stopped"}; !slices.Equal(progress, want) {
		t.Errorf("stop progress %q, want %q", progress, want)
	}
	for name, want := range map[string]engine.State{"demo-web-1": engine.StateExited, "demo-db-1": engine.StateRunning} {
		if c, err := eng.InspectContainer(t.Context(), name); err != nil || c.State != want {
			t.Errorf("%s after Ctrl-C: %v %v, want %v", name, c.State, err, want)
		}
	}
}

// sortedExits sorts the exit reports, which two containers stopped in
// parallel make in either order, keeping Done last.
func sortedExits(ds []string) []string {
	if len(ds) == 0 {
		return ds
	}
	head := slices.Sorted(slices.Values(ds[:len(ds)-1]))
	return append(head, ds[len(ds)-1])
}

// --exit-code-from: the job's exit aborts the run, the stop plan stops the
// server, and the run ends with the job's code.
func TestAttachedUpAbortStopsThroughStopPlan(t *testing.T) {
	eng := fake.New("busybox")
	u, out := attachedUp(t, eng, `
services:
  web: {image: busybox, command: [sleep, inf]}
  job: {image: busybox, command: [sh, -c, "sleep 0.2; exit 3"], depends_on: [web]}
`, nil, reconciler.AttachOptions{ExitCodeFrom: "job"})
	if code := supervised(t, u); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	_, decisions, progress := out.snapshot()
	if want := []string{"exit demo-job-1 code=3", "abort demo-job-1 code=3", "exit demo-web-1 code=137", "done code=3"}; !slices.Equal(decisions, want) {
		t.Errorf("decisions %q, want %q", decisions, want)
	}
	if want := []string{"Container demo-web-1  Stopping", "Container demo-web-1  Stopped"}; !slices.Equal(progress, want) {
		t.Errorf("stop progress %q, want %q", progress, want)
	}
	if c, err := eng.InspectContainer(t.Context(), "demo-web-1"); err != nil || c.State != engine.StateExited {
		t.Errorf("web after the abort: %v %v", c.State, err)
	}
}
