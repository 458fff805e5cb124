package reconciler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// load is the shared loader of the reconciler tests (helpers_test.go).
var load = reconciler.MustLoad

func up(t *testing.T, eng engine.Engine, p *types.Project, o reconciler.UpOptions) error {
	t.Helper()
	_, err := reconciler.Up(t.Context(), eng, p, o, reconciler.ApplyOptions{}, nil)
	return err
}

func mustUp(t *testing.T, eng engine.Engine, p *types.Project) {
	t.Helper()
	if err := up(t, eng, p, reconciler.UpOptions{}); err != nil {
		t.Fatalf("up: %v", err)
	}
}

// states maps container name to state.
func states(t *testing.T, eng engine.Engine, p *types.Project) map[string]engine.State {
	t.Helper()
	cs, err := eng.ListContainers(t.Context(), engine.ContainerFilter{Project: p.Name})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]engine.State{}
	for _, c := range cs {
		if _, dup := out[c.Name]; dup {
			t.Errorf("two containers named %s", c.Name)
		}
		out[c.Name] = c.State
	}
	return out
}

const twoServices = `
services:
  db: {image: busybox, command: [sleep, inf], volumes: [data:/data]}
  web: {image: busybox, command: [sleep, inf], environment: {FOO: "1"}, depends_on: [db]}
volumes:
  data: {}
`

func TestUpWarmMakesNoChangingCall(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, eng, p)
	eng.ResetCalls()
	mustUp(t, eng, p)
	for _, m := range []string{"CreateContainer", "StartContainer", "StopContainer", "RemoveContainer", "CreateNetwork", "CreateVolume"} {
		if n := eng.Calls(m); n != 0 {
			t.Errorf("warm up: %d %s calls", n, m)
		}
	}
	if n := eng.Calls("ListContainers"); n != 1 {
		t.Errorf("warm up: %d list calls, want 1", n)
	}
}

func TestUpChangeRecreatesOnlyThatService(t *testing.T) {
	eng := fake.New("busybox")
	mustUp(t, eng, load(t, twoServices))
	eng.ResetCalls()
	p := load(t, strings.Replace(twoServices, `FOO: "1"`, `FOO: "2"`, 1))
	plan, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "rename demo-web-1 from ") || !strings.Contains(plan.String(), "(config changed: environment.FOO)") {
		t.Errorf("plan:\n%s", plan)
	}
	if c, r := eng.Calls("CreateContainer"), eng.Calls("RemoveContainer"); c != 1 || r != 1 {
		t.Errorf("creates %d removes %d, want 1 and 1", c, r)
	}
}

func TestUpScale(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, "services: {web: {image: busybox, command: [sleep, inf]}}")
	if err := up(t, eng, p, reconciler.UpOptions{Scale: map[string]int{"web": 3}}); err != nil {
		t.Fatal(err)
	}
	if err := up(t, eng, p, reconciler.UpOptions{Scale: map[string]int{"web": 2}}); err != nil {
		t.Fatal(err)
	}
	got := states(t, eng, p)
	if len(got) != 2 || got["demo-web-1"] != engine.StateRunning || got["demo-web-2"] != engine.StateRunning {
		t.Errorf("containers %v", got)
	}
}

// barrierEngine holds every start until n starts are in flight at once:
// Up only gets past it if it starts independent services in parallel.
type barrierEngine struct {
	*fake.Engine
	n       int
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func (b *barrierEngine) StartContainer(ctx context.Context, id string) error {
	b.mu.Lock()
	b.waiting++
	if b.waiting == b.n {
		close(b.release)
	}
	b.mu.Unlock()
	select {
	case <-b.release:
	case <-time.After(5 * time.Second):
		return errors.New("starts were not in flight together")
	}
	return b.Engine.StartContainer(ctx, id)
}

func TestUpStartsIndependentServicesInParallel(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range 8 {
		fmt.Fprintf(&b, "  s%d: {image: busybox, command: [sleep, inf]}\n", i)
	}
	eng := &barrierEngine{Engine: fake.New("busybox"), n: 8, release: make(chan struct{})}
	mustUp(t, eng, load(t, b.String()))
}

func TestUpManyPortPublishingServices(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  s%d: {image: busybox, command: [sleep, inf], ports: ['%d:80']}\n", i, 20000+i)
	}
	eng := fake.New("busybox")
	p := load(t, b.String())
	mustUp(t, eng, p)
	for name, st := range states(t, eng, p) {
		if st != engine.StateRunning {
			t.Errorf("%s is %s", name, st)
		}
	}
}

func TestUpHealthGateStartsDependentPromptly(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, `
services:
  db:
    image: busybox
    command: [sleep, inf]
    healthcheck: {test: [CMD, probe-the-fake-cannot-run], interval: 1h}
  web:
    image: busybox
    command: [sleep, inf]
    depends_on: {db: {condition: service_healthy}}
`)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events, _ := eng.Events(ctx, engine.EventFilter{Project: p.Name})
	done := make(chan error, 1)
	go func() { done <- up(t, eng, p, reconciler.UpOptions{}) }()
	var healthyAt time.Time
	for ev := range events {
		switch {
		case ev.Action == engine.EventStart && ev.Name == "demo-db-1":
			if c, err := eng.InspectContainer(ctx, "demo-web-1"); err == nil && c.State == engine.StateRunning {
				t.Fatal("web started before db was healthy")
			}
			healthyAt = time.Now()
			if err := eng.SetHealth("demo-db-1", engine.HealthHealthy); err != nil {
				t.Fatal(err)
			}
		case ev.Action == engine.EventStart && ev.Name == "demo-web-1":
			if d := time.Since(healthyAt); d > 50*time.Millisecond {
				t.Errorf("web started %s after db turned healthy", d)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}

func TestUpCompletedSuccessfullyFailureNamesServiceAndCode(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, `
services:
  init: {image: busybox, command: [sh, -c, "exit 3"]}
  web:
    image: busybox
    command: [sleep, inf]
    depends_on: {init: {condition: service_completed_successfully}}
`)
	err := up(t, eng, p, reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), `service "init" didn't complete successfully: exit 3`) {
		t.Fatalf("err = %v", err)
	}
	if st := states(t, eng, p)["demo-web-1"]; st == engine.StateRunning {
		t.Error("web started although init failed")
	}
}

func TestUpPortInUseFailsOneServiceAndLaterConverges(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, `
services:
  web: {image: busybox, command: [sleep, inf], ports: ["8080:80"]}
  api: {image: busybox, command: [sleep, inf]}
`)
	eng.ReservePort(8080)
	err := up(t, eng, p, reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), `service "web"`) || !strings.Contains(err.Error(), "8080") ||
		!strings.Contains(err.Error(), "port is already allocated") {
		t.Fatalf("err = %v", err)
	}
	if st := states(t, eng, p)["demo-api-1"]; st != engine.StateRunning {
		t.Errorf("api is %s", st)
	}
	eng.ReleasePort(8080)
	eng.ResetCalls()
	mustUp(t, eng, p)
	if n := eng.Calls("CreateContainer"); n != 0 {
		t.Errorf("%d creates on converge", n)
	}
	if st := states(t, eng, p)["demo-web-1"]; st != engine.StateRunning {
		t.Errorf("web is %s", st)
	}
}

// blockingEngine blocks every start until its context ends.
type blockingEngine struct {
	*fake.Engine
	started chan struct{}
	once    sync.Once
}

func (b *blockingEngine) StartContainer(ctx context.Context, id string) error {
	b.once.Do(func() { close(b.started) })
	<-ctx.Done()
	return ctx.Err()
}

func TestUpCancelThenConverge(t *testing.T) {
	f := fake.New("busybox")
	p := load(t, twoServices)
	eng := &blockingEngine{Engine: f, started: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := reconciler.Up(ctx, eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, nil)
		done <- err
	}()
	<-eng.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	mustUp(t, f, p)
	got := states(t, f, p)
	if len(got) != 2 || got["demo-db-1"] != engine.StateRunning || got["demo-web-1"] != engine.StateRunning {
		t.Errorf("containers %v", got)
	}
}

func TestConcurrentUpsMakeOneContainerPerReplica(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, "services: {web: {image: busybox, command: [sleep, inf], scale: 3}, db: {image: busybox, command: [sleep, inf]}}")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = up(t, eng, p, reconciler.UpOptions{}) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("up: %v", err)
		}
	}
	if got := states(t, eng, p); len(got) != 4 {
		t.Errorf("containers %v", got)
	}
}

func TestDownRemovesContainersAndNetworksKeepsVolumes(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, eng, p)
	if _, err := reconciler.Down(t.Context(), eng, p, reconciler.DownOptions{}, reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := states(t, eng, p); len(got) != 0 {
		t.Errorf("containers left: %v", got)
	}
	nets, _ := eng.ListNetworks(t.Context(), p.Name)
	vols, _ := eng.ListVolumes(t.Context(), p.Name)
	if len(nets) != 0 || len(vols) != 1 {
		t.Errorf("networks %v volumes %v", nets, vols)
	}
	if _, err := reconciler.Down(t.Context(), eng, p, reconciler.DownOptions{Volumes: true}, reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if vols, _ := eng.ListVolumes(t.Context(), p.Name); len(vols) != 0 {
		t.Errorf("volumes left: %v", vols)
	}
}

// exitsAfterInspect lets a container die right after the first inspect
// that saw it running, as a program that fails at once ("exit 1") does
// on a real engine when the wait looks too early.
type exitsAfterInspect struct {
	*fake.Engine
	name string
	once sync.Once
}

func (e *exitsAfterInspect) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	c, err := e.Engine.InspectContainer(ctx, id)
	if err == nil && id == e.name && c.State == engine.StateRunning {
		e.once.Do(func() {
			if err := e.Engine.KillContainer(ctx, id, "SIGKILL"); err != nil {
				panic(err)
			}
		})
	}
	return c, err
}

// healthGatedWeb is a web that waits for db to turn healthy, but db has no
// healthcheck.
const healthGatedWeb = `
services:
  db: {image: busybox, command: [sleep, inf]}
  web:
    image: busybox
    command: [sleep, inf]
    depends_on: {db: {condition: service_healthy}}
`

// A dependency without a healthcheck that exits just after the wait saw
// it running fails the wait with its exit, as Docker Compose says it, and
// not with the missing healthcheck.
func TestUpHealthGateReportsExitAfterRunningLook(t *testing.T) {
	eng := &exitsAfterInspect{Engine: fake.New("busybox"), name: "demo-db-1"}
	p := load(t, healthGatedWeb)
	err := up(t, eng, p, reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "dependency failed to start: container demo-db-1 exited (137)") {
		t.Fatalf("err = %v", err)
	}
	if st := states(t, eng, p)["demo-web-1"]; st != engine.StateCreated {
		t.Errorf("web is %s, want created", st)
	}
}

// One that keeps running can never turn healthy: the wait fails, naming
// the missing healthcheck.
func TestUpHealthGateWithoutHealthcheckFails(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, healthGatedWeb)
	err := up(t, eng, p, reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "dependency failed to start: container demo-db-1 has no healthcheck configured") {
		t.Fatalf("err = %v", err)
	}
}
