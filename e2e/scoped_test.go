package e2e

import (
	"slices"
	"strings"
	"testing"
)

// threeServices is web depending on db, and a worker that asks to be
// restarted with db (restart: true); all sleep.
const threeServices = `
services:
  db:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
  web:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    depends_on: [db]
  worker:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    depends_on:
      db: {condition: service_started, restart: true}
`

// TestDownServices is the regression test for `down SERVICE` removing the
// whole project: only the named services (and what depends on them) go, and
// the network stays while a service still uses it.
func TestDownServices(t *testing.T) {
	p := newProject(t, threeServices)
	p.mustBerth("up", "-d")
	p.mustBerth("down", "-t", "0", "web")
	got := p.containers()
	if _, ok := got[p.name+"-web-1"]; ok || len(got) != 2 {
		t.Fatalf("down web left %v", got)
	}
	p.wantStates(map[string]string{"db-1": "running", "worker-1": "running"})
	if len(p.networks()) != 1 {
		t.Fatalf("down web removed the network db and worker use")
	}
	// worker depends on db: it goes with it, as in Docker Compose.
	p.mustBerth("down", "-t", "0", "db")
	if got := p.containers(); len(got) != 0 {
		t.Fatalf("down db left %v", got)
	}
	if len(p.networks()) != 0 {
		t.Fatalf("the network outlived every service: %v", p.networks())
	}
	p.mustBerth("up", "-d")
	_, stderr, err := p.berth("down", "wbe")
	if exitCode(t, err) != 1 || !strings.Contains(stderr, `no such service: wbe (did you mean "web"?)`) {
		t.Fatalf("down of an unknown service: %v\n%s", err, stderr)
	}
	if got := p.containers(); len(got) != 3 {
		t.Fatalf("a failed down removed containers: %v", got)
	}
}

// TestRestartNoDeps is the regression test for `restart --no-deps` being
// ignored: without it, restarting db also restarts worker (restart: true on
// db) but not web; with it, only db restarts.
func TestRestartNoDeps(t *testing.T) {
	p := newProject(t, threeServices)
	p.mustBerth("up", "-d")
	before := p.startedAt()
	p.mustBerth("restart", "-t", "0", "--no-deps", "db")
	after := p.startedAt()
	if restarted := changed(before, after); !slices.Equal(restarted, []string{"db"}) {
		t.Fatalf("restart --no-deps db restarted %v", restarted)
	}
	p.mustBerth("restart", "-t", "0", "db")
	if restarted := changed(after, p.startedAt()); !slices.Equal(restarted, []string{"db", "worker"}) {
		t.Fatalf("restart db restarted %v", restarted)
	}
}

// startedAt is each service's first container's start time, by service.
func (p *project) startedAt() map[string]string {
	out := map[string]string{}
	for _, svc := range []string{"db", "web", "worker"} {
		out[svc] = docker(p.t, "inspect", "--format", "{{.State.StartedAt}}", p.name+"-"+svc+"-1")[0]
	}
	return out
}

// changed lists the services whose start time differs, sorted.
func changed(before, after map[string]string) []string {
	var out []string
	for svc, t := range after {
		if before[svc] != t {
			out = append(out, svc)
		}
	}
	slices.Sort(out)
	return out
}
