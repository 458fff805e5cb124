package reconciler

import (
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

const runProject = `
services:
  web:
    image: busybox
    command: [serve]
    user: app
    restart: always
    ports: ["8080:80"]
    environment: {A: "1", B: "2"}
    labels: {x: "1"}
    depends_on: [db]
  db:
    image: busybox
`

// TestRunService: what each option of run replaces, adds or drops in the
// service the one-off runs.
func TestRunService(t *testing.T) {
	p := mustLoad(t, runProject)
	p.Environment = types.Mapping{"SHELL_ONLY": "from-shell"}
	entry := "sh -c"
	cases := []struct {
		name  string
		o     RunOptions
		check func(s types.ServiceConfig) bool
	}{
		{"runs once", RunOptions{}, func(s types.ServiceConfig) bool { return s.Restart == "" && s.Deploy == nil }},
		{"keeps the command", RunOptions{}, func(s types.ServiceConfig) bool { return slices.Equal(s.Command, []string{"serve"}) }},
		{"command", RunOptions{Command: []string{"echo", "hi"}}, func(s types.ServiceConfig) bool { return slices.Equal(s.Command, []string{"echo", "hi"}) }},
		{"entrypoint as shell words", RunOptions{Entrypoint: &entry}, func(s types.ServiceConfig) bool { return slices.Equal(s.Entrypoint, []string{"sh", "-c"}) }},
		{"env overrides and adds", RunOptions{Env: []string{"B=3", "C=4"}}, func(s types.ServiceConfig) bool {
			return *s.Environment["A"] == "1" && *s.Environment["B"] == "3" && *s.Environment["C"] == "4"
		}},
		{"-e KEY from the project's environment", RunOptions{Env: []string{"SHELL_ONLY"}}, func(s types.ServiceConfig) bool {
			return *s.Environment["SHELL_ONLY"] == "from-shell"
		}},
		{"-e KEY set nowhere keeps the service's value", RunOptions{Env: []string{"A"}}, func(s types.ServiceConfig) bool { return *s.Environment["A"] == "1" }},
		{"-e KEY set nowhere is left out", RunOptions{Env: []string{"NOWHERE"}}, func(s types.ServiceConfig) bool {
			_, ok := s.Environment["NOWHERE"]
			return !ok && len(s.Environment) == 2
		}},
		{"-e KEY= is empty", RunOptions{Env: []string{"B="}}, func(s types.ServiceConfig) bool { return *s.Environment["B"] == "" }},
		{"user and workdir", RunOptions{User: "0", Workdir: "/tmp"}, func(s types.ServiceConfig) bool { return s.User == "0" && s.WorkingDir == "/tmp" }},
		{"no ports by default", RunOptions{}, func(s types.ServiceConfig) bool { return len(s.Ports) == 0 }},
		{"service ports", RunOptions{ServicePorts: true}, func(s types.ServiceConfig) bool { return len(s.Ports) == 1 && s.Ports[0].Published == "8080" }},
		{"publish", RunOptions{Publish: []string{"9090:90"}}, func(s types.ServiceConfig) bool { return len(s.Ports) == 1 && s.Ports[0].Target == 90 }},
		{"volume", RunOptions{Volumes: []string{"/src:/dst:ro"}}, func(s types.ServiceConfig) bool {
			return len(s.Volumes) == 1 && s.Volumes[0].Target == "/dst" && s.Volumes[0].ReadOnly
		}},
		{"label", RunOptions{Labels: []string{"x=2", "y"}}, func(s types.ServiceConfig) bool { return s.Labels["x"] == "2" && s.Labels["y"] == "" }},
		{"terminal attached", RunOptions{TTY: true, Interactive: true}, func(s types.ServiceConfig) bool { return s.Tty && s.StdinOpen }},
		{"no terminal detached", RunOptions{TTY: true, Detach: true}, func(s types.ServiceConfig) bool { return !s.Tty }},
	}
	for _, c := range cases {
		c.o.Service = "web"
		s, err := c.o.service(p)
		if err != nil || !c.check(s) {
			t.Errorf("%s: %v %+v", c.name, err, s)
		}
	}
	if got := *p.Services["web"].Environment["B"]; got != "2" {
		t.Errorf("the project's service changed: B=%s", got)
	}
	for _, bad := range []RunOptions{{Publish: []string{"x:y:z:w"}}, {Volumes: []string{""}}, {Entrypoint: ptrTo(`"unclosed`)}, {Service: "nosuch"}} {
		if bad.Service == "" {
			bad.Service = "web"
		}
		if _, err := bad.service(p); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestRunPlan: the dependencies start first (unless NoDeps), the one-off
// is created, not started, with its own name and the one-off labels; --rm
// is the engine's only when detached.
func TestRunPlan(t *testing.T) {
	p := mustLoad(t, runProject)
	slug := strings.Repeat("ab", 32)
	cases := []struct {
		o        RunOptions
		want     string
		name     string
		autoRm   bool
		rmOnExit bool
	}{
		{RunOptions{Service: "web", Slug: slug, Remove: true}, `
#0 create-network demo_default (not found)
#1 create demo-db-1 (not found) after #0
#2 start demo-db-1 after #1
#3 create demo-web-run-abababababab after #0,#2`, "demo-web-run-abababababab", false, true},
		{RunOptions{Service: "web", Slug: slug, NoDeps: true, Detach: true, Remove: true, Name: "mine"}, `
#0 create-network demo_default (not found)
#1 create mine after #0`, "mine", true, false},
	}
	for _, c := range cases {
		plan, spec, err := NewRunPlan(p, Observed{Images: images(p)}, c.o)
		if err != nil {
			t.Fatal(err)
		}
		assertPlan(t, plan, c.want)
		if spec.Name != c.name || spec.AutoRemove != c.autoRm || c.o.RemoveOnExit() != c.rmOnExit {
			t.Errorf("%+v: name %q, auto-remove %v, remove on exit %v", c.o, spec.Name, spec.AutoRemove, c.o.RemoveOnExit())
		}
		if spec.Labels[project.LabelOneOff] != "True" || spec.Labels[project.LabelSlug] != slug || spec.Labels[project.LabelService] != "web" {
			t.Errorf("one-off labels %v", spec.Labels)
		}
		if spec.Restart.Name != "" && spec.Restart.Name != "no" {
			t.Errorf("a one-off restarts: %+v", spec.Restart)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
