package e2e

import (
	"slices"
	"strings"
	"testing"
)

// replicaNumbers are the container numbers of the service, sorted.
func (p *project) replicaNumbers(service string) []string {
	p.t.Helper()
	out := docker(p.t, "ps", "-a", "--filter", p.label(), "--filter", "label=com.docker.compose.service="+service,
		"--format", `{{.Label "com.docker.compose.container-number"}}`)
	slices.Sort(out)
	return out
}

func TestScaleCommand(t *testing.T) {
	p := newProject(t, `
services:
  back: {image: berth-test/busybox:latest, command: sleep 1000, init: true, depends_on: [db]}
  db: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
  admin: {image: berth-test/busybox:latest, command: sleep 1000, init: true, deploy: {replicas: 0}}
`)
	p.mustBerth("up", "-d", "--scale", "db=2")
	ids := map[string]string{"db-1": p.id(p.name + "-db-1"), "back-1": p.id(p.name + "-back-1")}
	p.mustBerth("scale", "admin=2", "--no-deps", "back=3")
	want := map[string][]string{"admin": {"1", "2"}, "back": {"1", "2", "3"}, "db": {"1", "2"}}
	for svc, nums := range want {
		if got := p.replicaNumbers(svc); !slices.Equal(got, nums) {
			t.Errorf("after scale --no-deps: %s has replicas %v, want %v", svc, got, nums)
		}
	}
	_, stderr := p.mustBerth("scale", "back=1")
	if got := p.replicaNumbers("back"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("scale down: back has %v, want [1] (the highest numbers go)", got)
	}
	if got := p.replicaNumbers("db"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("scale without --no-deps: db has %v, want the file's one replica", got)
	}
	for name, id := range ids {
		if p.id(p.name+"-"+name) != id {
			t.Errorf("%s was recreated by scale", name)
		}
	}
	if strings.Contains(stderr, "Recreate") {
		t.Errorf("scale recreated something:\n%s", stderr)
	}
	p.wantFailure("invalid scale specifier: back", "scale", "back")
}
