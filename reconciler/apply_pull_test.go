package reconciler_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
	"berth/registry"
)

// events collects progress.
type events struct {
	mu  sync.Mutex
	all []reconciler.ProgressEvent
}

func (e *events) Event(ev reconciler.ProgressEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) statuses(kind string) []string {
	var out []string
	for _, ev := range e.all {
		if ev.Kind == kind && ev.Layer == "" && ev.Detail == "" {
			out = append(out, ev.Name+" "+ev.Status)
		}
	}
	return out
}

func TestUpPullsMissingImageOnce(t *testing.T) {
	eng := fake.New()
	eng.SeedRegistry("reg.test:5000/app:1", nil)
	p := load(t, `
services:
  a: {image: "reg.test:5000/app:1", command: [sleep, inf]}
  b: {image: "reg.test:5000/app:1", command: [sleep, inf]}
`)
	var ev events
	if _, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, &ev); err != nil {
		t.Fatal(err)
	}
	if n := eng.Calls("PullImage"); n != 1 {
		t.Errorf("%d pulls, want 1", n)
	}
	if got := strings.Join(ev.statuses("Image"), ", "); got != "reg.test:5000/app:1 Pulling, reg.test:5000/app:1 Pulled" {
		t.Errorf("image progress: %s", got)
	}
	if st := states(t, eng, p); st["demo-a-1"] != engine.StateRunning || st["demo-b-1"] != engine.StateRunning {
		t.Errorf("states %v", st)
	}
	// Present now: a second up pulls nothing.
	if err := up(t, eng, p, reconciler.UpOptions{}); err != nil || eng.Calls("PullImage") != 1 {
		t.Errorf("second up: %v, %d pulls", err, eng.Calls("PullImage"))
	}
}

func TestUpAlwaysRecreatesOnNewImage(t *testing.T) {
	eng := fake.New()
	eng.SeedRegistry("reg.test:5000/app:1", nil)
	p := load(t, `services: {a: {image: "reg.test:5000/app:1", pull_policy: always, command: [sleep, inf]}}`)
	mustUp(t, eng, p)
	var ev events
	if _, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, &ev); err != nil {
		t.Fatal(err)
	}
	for _, e := range ev.all {
		if e.Kind == "Container" && e.Status == "Recreated" {
			t.Errorf("same image pulled again, yet %s was recreated (%s)", e.Name, e.Reason)
		}
	}
	eng.SeedRegistry("reg.test:5000/app:1", nil) // the tag moves
	ev = events{}
	if _, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, &ev); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range ev.all {
		found = found || e.Kind == "Container" && e.Status == "Recreated" && e.Reason == "image changed"
	}
	if !found || eng.Calls("PullImage") != 3 {
		t.Errorf("after the tag moved: recreated %v, %d pulls; events %+v", found, eng.Calls("PullImage"), ev.statuses("Container"))
	}
}

func TestUpPullFailureCreatesNothing(t *testing.T) {
	eng := fake.New("busybox")
	eng.RequireAuth("reg.test:5000", engine.Auth{Username: "u", Password: "p"})
	eng.SeedRegistry("reg.test:5000/app:1", nil)
	p := load(t, `
services:
  a: {image: "reg.test:5000/app:1"}
  b: {image: "reg.test:5000/app:2"}
  c: {image: busybox, command: [sleep, inf]}
`)
	err := up(t, eng, p, reconciler.UpOptions{})
	if !errors.Is(err, engine.ErrUnauthorized) || !strings.Contains(err.Error(), "docker login reg.test:5000") || !strings.Contains(err.Error(), `service "a"`) {
		t.Errorf("got %v, want pull access denied naming service a and docker login", err)
	}
	if n := eng.Calls("CreateContainer") + eng.Calls("CreateNetwork"); n != 0 {
		t.Errorf("%d creates after a failed pull, want none", n)
	}
}

func TestPullPlanBuildableFailureWarns(t *testing.T) {
	eng := fake.New()
	eng.SeedRegistry("reg.test:5000/app:1", nil)
	p := load(t, `
services:
  app: {image: "reg.test:5000/app:1"}
  built: {image: "reg.test:5000/built:1", build: {context: .}}
  never: {image: "reg.test:5000/never:1", pull_policy: never}
`)
	plan, err := reconciler.NewPullPlan(p, reconciler.Observed{}, reconciler.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.String(); got != "#0 pull reg.test:5000/app:1\n#1 pull reg.test:5000/built:1\n" {
		t.Errorf("pull plan:\n%s", got)
	}
	var ev events
	if err := reconciler.Apply(t.Context(), eng, plan, &ev, reconciler.ApplyOptions{}); err != nil {
		t.Errorf("a buildable service's failed pull is an error: %v", err)
	}
	warned := false
	for _, e := range ev.all {
		warned = warned || e.Kind == "Warning" && strings.Contains(e.Line, `service "built"`)
	}
	if !warned {
		t.Errorf("no warning for the buildable service's failed pull: %+v", ev.all)
	}
	ignoring, err := reconciler.NewPullPlan(p, reconciler.Observed{}, reconciler.PullOptions{IgnoreBuildable: true, Services: []string{"built"}})
	if err != nil || !ignoring.Empty() {
		t.Errorf("--ignore-buildable built: %v\n%s", err, ignoring.String())
	}
}

// TestUpDailyPullsOncePerDay: the pull log, not the engine, says when an
// image was pulled (Docker Engine 20.10 keeps no such time).
func TestUpDailyPullsOncePerDay(t *testing.T) {
	eng := fake.New()
	eng.SeedRegistry("reg.test:5000/app:1", nil)
	p := load(t, `services: {a: {image: "reg.test:5000/app:1", pull_policy: daily, command: [sleep, inf]}}`)
	ap := reconciler.ApplyOptions{Registries: reconciler.Registries{Log: registry.NewPullLog(t.TempDir())}}
	now := time.Now()
	for i, c := range []struct {
		at    time.Time
		pulls int
	}{{now, 1}, {now.Add(time.Hour), 1}, {now.Add(25 * time.Hour), 2}} {
		if _, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{Now: c.at}, ap, nil); err != nil {
			t.Fatal(err)
		}
		if n := eng.Calls("PullImage"); n != c.pulls {
			t.Errorf("up #%d at +%v: %d pulls, want %d", i+1, c.at.Sub(now).Round(time.Hour), n, c.pulls)
		}
	}
	// The dry run reads the same log, which holds the pulls' real times:
	// an hour after the last pull it plans none, a day after it plans one.
	for _, c := range []struct {
		at    time.Time
		pulls int
	}{{now.Add(time.Hour), 0}, {now.Add(25 * time.Hour), 1}} {
		plan, err := reconciler.PlanUp(t.Context(), eng, p, reconciler.UpOptions{Now: c.at}, ap)
		if err != nil || plan.Count(reconciler.OpPull) != c.pulls {
			t.Errorf("dry run at +%v: %v, plan:\n%s\nwant %d pulls", c.at.Sub(now).Round(time.Hour), err, plan, c.pulls)
		}
	}
}

// TestUpPullsBuildableFirst: a service with image: and build: whose image is
// missing is pulled first, as Docker Compose does; only when the pull does
// not bring it (a warning, not a failure) is it built.
func TestUpPullsBuildableFirst(t *testing.T) {
	const yaml = `services: {built: {image: "reg.test:5000/built:1", build: {context: .}, command: [sleep, inf]}}`
	for _, inRegistry := range []bool{true, false} {
		eng := fake.New("busybox")
		if inRegistry {
			eng.SeedRegistry("reg.test:5000/built:1", nil)
		}
		p := load(t, yaml)
		dockerfile := filepath.Join(p.Services["built"].Build.Context, "Dockerfile")
		if err := os.WriteFile(dockerfile, []byte("FROM busybox\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var ev events
		if _, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, &ev); err != nil {
			t.Fatalf("in registry %v: %v", inRegistry, err)
		}
		pulls, builds := eng.Calls("PullImage"), len(eng.Builds())
		if pulls != 1 || (builds == 0) == !inRegistry {
			t.Errorf("in registry %v: %d pulls, %d builds; want one pull, and a build only when the pull failed", inRegistry, pulls, builds)
		}
		if st := states(t, eng, p); st["demo-built-1"] != engine.StateRunning {
			t.Errorf("in registry %v: states %v", inRegistry, st)
		}
	}
}

// TestPullBuildHintAndSkips: a pull names the services it leaves out for
// want of an image, and ends by naming the build that replaces a failed
// pull; the hint is the pull command's (BuildHint), not up's.
func TestPullBuildHintAndSkips(t *testing.T) {
	p := load(t, `
services:
  only-built: {build: {context: .}}
  built: {image: "reg.test:5000/built:1", build: {context: .}}
`)
	var skips events
	if err := reconciler.PullSkips(p, reconciler.PullOptions{}, &skips); err != nil {
		t.Fatal(err)
	}
	if got := skips.statuses(""); len(got) != 1 || got[0] != "only-built Skipped" || skips.all[0].Reason != "No image to be pulled" {
		t.Errorf("skips: %+v", skips.all)
	}
	plan, err := reconciler.NewPullPlan(p, reconciler.Observed{}, reconciler.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, hint := range []bool{true, false} {
		var ev events
		o := reconciler.ApplyOptions{Registries: reconciler.Registries{BuildHint: hint}}
		if err := reconciler.Apply(t.Context(), fake.New(), plan, &ev, o); err != nil {
			t.Fatal(err)
		}
		hinted := false
		for _, e := range ev.all {
			hinted = hinted || e.Kind == "Warning" && strings.HasSuffix(e.Line, "must be built from source by running:\n    berth build built")
		}
		if hinted != hint {
			t.Errorf("BuildHint %v: hinted %v: %+v", hint, hinted, ev.all)
		}
	}
}
