package bench

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"berth/project"
)

func TestGeneratedProjectsLoad(t *testing.T) {
	cases := []struct {
		shape  Shape
		levels []int // of svc-00 .. svc-03
		deps   map[string][]string
	}{
		{Independent, []int{0, 0, 0, 0}, map[string][]string{"svc-01": nil}},
		{Chain, []int{0, 1, 2, 3}, map[string][]string{"svc-00": nil, "svc-03": {"svc-02"}}},
		{Fan, []int{0, 1, 1, 1}, map[string][]string{"svc-00": nil, "svc-02": {"svc-00"}}},
	}
	for _, c := range cases {
		t.Run(string(c.shape), func(t *testing.T) {
			path, err := WriteProject(t.TempDir(), c.shape, 4)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Load(context.Background(), path, "gen")
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range c.deps {
				if got := project.Dependencies(p.Services[name]); !slices.Equal(got, want) {
					t.Errorf("%s depends on %v, want %v", name, got, want)
				}
			}
			plan, err := NewPlan(p, map[string]string{Image: "sha256:x"})
			if err != nil {
				t.Fatal(err)
			}
			var levels []int
			for _, ctr := range plan.Containers {
				levels = append(levels, ctr.Level)
			}
			if !slices.Equal(levels, c.levels) {
				t.Errorf("levels %v, want %v", levels, c.levels)
			}
			if got := plan.Containers[1]; got.Name != "gen-svc-01-1" || got.Labels[project.LabelImage] != "sha256:x" {
				t.Errorf("container %q labels %v", got.Name, got.Labels)
			}
			if c.shape == Chain && !slices.Equal(plan.Containers[3].After, []string{"gen-svc-02-1"}) {
				t.Errorf("svc-03 starts after %v", plan.Containers[3].After)
			}
			if plan.Network.Name != "gen_default" {
				t.Errorf("network %q", plan.Network.Name)
			}
			if got := plan.Containers[0].Command; !slices.Equal(got, command) {
				t.Errorf("command %q, want %q", got, command)
			}
		})
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	if _, err := Generate(Chain, 0); err == nil {
		t.Error("0 services: no error")
	}
	if _, err := WriteProject(t.TempDir(), "star", 3); err == nil {
		t.Error("unknown shape: no error")
	}
	if _, err := WriteProject(filepath.Join(t.TempDir(), "missing"), Chain, 3); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/v1.41/containers/json":                       "/containers/json",
		"/v1.41/containers/create":                     "/containers/create",
		"/v1.41/containers/p-svc-00-1/start":           "/containers/{id}/start",
		"/v1.41/containers/abc123/json":                "/containers/{id}/json",
		"/v1.41/containers/abc123":                     "/containers/{id}",
		"/v1.41/networks/p_default":                    "/networks/{id}",
		"/v1.41/networks/create":                       "/networks/create",
		"/v1.41/images/berth-test/busybox:latest/json": "/images/{name}/json",
		"/_ping":  "/_ping",
		"/events": "/events",
	} {
		if got := NormalizePath(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(a, b int) (time.Time, time.Time) {
		return t0.Add(time.Duration(a) * time.Millisecond), t0.Add(time.Duration(b) * time.Millisecond)
	}
	var calls []Call
	for _, iv := range [][2]int{{10, 30}, {20, 40}, {30, 50}, {60, 70}} {
		s, e := at(iv[0], iv[1])
		calls = append(calls, Call{Method: "POST", Path: "/containers/{id}/start", Start: s, End: e})
	}
	s, e := at(5, 8)
	calls = append(calls, Call{Method: "GET", Path: "/containers/json", Start: s, End: e})
	p := Summarize(t0, calls)
	if p.Writes != 4 || p.First != 5*time.Millisecond || p.Elapsed != 70*time.Millisecond {
		t.Errorf("writes %d first %s elapsed %s", p.Writes, p.First, p.Elapsed)
	}
	// Back-to-back calls (one ends as the next starts) do not overlap.
	if got := p.Peak["POST /containers/{id}/start"]; got != 2 {
		t.Errorf("peak %d, want 2", got)
	}
	if got := slices.Sorted(maps.Keys(p.Counts)); len(got) != 2 {
		t.Errorf("keys %v", got)
	}
}

func TestMedian(t *testing.T) {
	r := &report{times: map[string]map[op][]time.Duration{"raw": {opPs: {3, 1, 2}, opUp: {4, 1, 3, 2}}}}
	if got := r.median("raw", opPs); got != 2 {
		t.Errorf("odd median %d", got)
	}
	if got := r.median("raw", opUp); got != 2 {
		t.Errorf("even median %d", got)
	}
	if got := r.median("berth", opUp); got != 0 {
		t.Errorf("no samples: %d", got)
	}
}
