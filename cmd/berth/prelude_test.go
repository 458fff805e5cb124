package main

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/engine"
	"berth/engine/fake"
)

const fakeProject = `
services:
  db: {image: busybox, command: [sleep, inf]}
  web: {image: busybox, command: [sleep, inf], depends_on: [db]}
  cache: {image: busybox, command: [sleep, inf]}
`

// onFake runs one berth invocation in-process against eng, in dir, and
// returns its exit code and output (stdout then stderr).
func onFake(t *testing.T, eng engine.Engine, dir string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		connect: func(context.Context, []string) (engine.Engine, error) { return eng, nil }}
	code := a.run(t.Context(), append([]string{"-f", filepath.Join(dir, "compose.yaml"), "-p", "demo", "--progress", "quiet"}, args...))
	return code, out.String()
}

func fakeContainers(t *testing.T, eng engine.Engine) []string {
	t.Helper()
	cs, err := eng.ListContainers(t.Context(), engine.ContainerFilter{Project: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

// TestDownServicesReachesThePlan: the arguments of down reach the plan
// (they were once dropped, and down SERVICE took the whole project down).
func TestDownServicesReachesThePlan(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": fakeProject})
	eng := fake.New("busybox")
	if code, out := onFake(t, eng, dir, "up", "-d"); code != 0 {
		t.Fatalf("up -d: %d\n%s", code, out)
	}
	if code, out := onFake(t, eng, dir, "down", "db"); code != 0 {
		t.Fatalf("down db: %d\n%s", code, out)
	}
	if got := fakeContainers(t, eng); !slices.Equal(got, []string{"demo-cache-1"}) {
		t.Fatalf("down db (web depends on it) left %v", got)
	}
	code, out := onFake(t, eng, dir, "down", "dbb")
	if code != 1 || !strings.Contains(out, `no such service: dbb (did you mean "db"?)`) {
		t.Fatalf("down dbb: %d\n%s", code, out)
	}
	if code, out := onFake(t, eng, dir, "down"); code != 0 || len(fakeContainers(t, eng)) != 0 {
		t.Fatalf("down: %d %v\n%s", code, fakeContainers(t, eng), out)
	}
}

// TestConnectionPerInvocation: each invocation connects once, however
// often its commands ask (wait --down-project opens the project twice),
// and never shares its connection with another invocation.
func TestConnectionPerInvocation(t *testing.T) {
	calls := map[*app]int{}
	newApp := func() *app {
		a := &app{}
		a.connect = func(context.Context, []string) (engine.Engine, error) {
			calls[a]++
			return fake.New(), nil
		}
		return a
	}
	a, b := newApp(), newApp()
	ea1, _ := a.engine(t.Context())
	ea2, _ := a.engine(t.Context())
	eb, _ := b.engine(t.Context())
	if ea1 != ea2 || ea1 == eb {
		t.Error("an invocation's engine is not its own, or not one")
	}
	if got := slices.Collect(maps.Values(calls)); !slices.Equal(got, []int{1, 1}) {
		t.Errorf("connections per invocation: %v", got)
	}
}
