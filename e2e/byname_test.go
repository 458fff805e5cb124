package e2e

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// elsewhere runs berth with -p name from a directory without a compose
// file (and none above it: a fresh temporary directory).
func (p *project) elsewhere(env []string, args ...string) (string, error) {
	p.t.Helper()
	cmd := p.command(args...)
	cmd.Dir = p.t.TempDir()
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (p *project) mustElsewhere(args ...string) string {
	p.t.Helper()
	out, err := p.elsewhere(nil, args...)
	if err != nil {
		p.t.Fatalf("berth %s (no compose file): %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestProjectByNameWithoutFile: with -p NAME and no compose file, the
// commands that need only the name act on what the project's labels say:
// ps lists, stop/start/restart/kill/pause/unpause act, logs, top, images
// and port read, down SERVICE takes only that service, down -v takes the
// rest with its network and volume.
func TestProjectByNameWithoutFile(t *testing.T) {
	p := newProject(t, `services:
  db:
    image: berth-test/busybox
    command: ["sh", "-c", "echo db-says-hi; trap 'exit 0' TERM; sleep 3600 & wait"]
    volumes: [data:/data]
  web:
    image: berth-test/busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    depends_on: [db]
    ports: ["80"]
    networks: [default, back]
networks:
  back: {}
volumes:
  data: {}
`)
	p.mustBerth("up", "-d")
	db, web := p.name+"-db-1", p.name+"-web-1"

	if out := p.mustElsewhere("ps", "--format", "{{.Name}}"); !strings.Contains(out, db) || !strings.Contains(out, web) {
		t.Errorf("ps:\n%s", out)
	}
	p.mustElsewhere("stop", "db")
	p.wantState("db", "exited", "after stop db")
	p.wantState("web", "running", "after stop db")
	p.mustElsewhere("start")
	p.wantState("db", "running", "after start")
	p.mustElsewhere("pause", "web")
	p.wantState("web", "paused", "after pause")
	p.mustElsewhere("unpause", "web")
	p.wantState("web", "running", "after unpause")
	if out := p.mustElsewhere("logs", "db"); !strings.Contains(out, "db-says-hi") {
		t.Errorf("logs db:\n%s", out)
	}
	if out := p.mustElsewhere("top", "web"); !strings.Contains(out, "sleep 3600") {
		t.Errorf("top web:\n%s", out)
	}
	if out := p.mustElsewhere("images"); !strings.Contains(out, "berth-test/busybox") {
		t.Errorf("images:\n%s", out)
	}
	if out := p.mustElsewhere("port", "web", "80"); !strings.Contains(out, ":") {
		t.Errorf("port web 80: %q", out)
	}
	before := p.id(web)
	p.mustElsewhere("restart", "--no-deps", "web")
	if p.id(web) != before {
		t.Error("restart recreated web")
	}
	if out, err := p.elsewhere(nil, "logs", "nosuch"); err == nil || !strings.Contains(out, `no such service: "nosuch"`) {
		t.Errorf("logs nosuch: %v\n%s", err, out)
	}

	p.mustElsewhere("down", "web")
	if got := p.containers(); len(got) != 1 || got[db] != "running" {
		t.Errorf("after down web: %v, want db alone, running", got)
	}
	if nets := docker(t, "network", "ls", "--format", "{{.Name}}", "--filter", p.label()); slices.Contains(nets, p.name+"_back") {
		t.Errorf("down web left %s_back, which only web used: %v", p.name, nets)
	}
	p.mustElsewhere("down", "-v")
	if got := p.containers(); len(got) != 0 {
		t.Errorf("after down: %v", got)
	}
	if vols := docker(t, "volume", "ls", "-q", "--filter", p.label()); len(vols) != 0 {
		t.Errorf("down -v left volumes %v", vols)
	}
	if nets := p.networks(); len(nets) != 0 {
		t.Errorf("down left networks %v", nets)
	}
	if out := p.mustElsewhere("down"); !strings.Contains(out, "No resource found to remove") {
		t.Errorf("down of nothing: %q", out)
	}
}

// TestProjectByNameFromEnvironment: COMPOSE_PROJECT_NAME names the project
// as -p does.
func TestProjectByNameFromEnvironment(t *testing.T) {
	p := newProject(t, "services:\n  app:\n    image: berth-test/busybox\n    command: [sleep, \"3600\"]\n")
	p.mustBerth("up", "-d")
	cmd := p.command("kill", "app")
	cmd.Args = slices.Delete(cmd.Args, 1, 3) // no -p
	cmd.Dir = t.TempDir()
	cmd.Env = append(cmd.Env, "COMPOSE_PROJECT_NAME="+p.name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kill app: %v\n%s", err, out)
	}
	p.wantState("app", "exited", "after kill")
}
