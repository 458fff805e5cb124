package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// up recreates a network whose labels changed: the container on it stops,
// moves to the new network and starts again, the same container.
func TestUpRecreatesChangedNetwork(t *testing.T) {
	const file = `
services:
  web:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    networks: [back]
networks:
  back:
    labels: {team: %s}
`
	p := newProject(t, fmt.Sprintf(file, "a"))
	p.mustBerth("up", "-d")
	before := p.id(p.name + "-web-1")
	p.write(fmt.Sprintf(file, "b"))
	_, stderr := p.mustBerth("up", "-d")
	for _, want := range []string{
		"Container " + p.name + "-web-1 Stopped (network back config changed)",
		"Network " + p.name + "_back Created (config changed: labels.team)",
		"Container " + p.name + "-web-1 Started (network back config changed)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("missing %q in:\n%s", want, stderr)
		}
	}
	if after := p.id(p.name + "-web-1"); after != before {
		t.Error("the container was recreated, not moved to the new network")
	}
	p.wantState("web", "running", "after the network's recreate")
	if got := docker(t, "network", "inspect", p.name+"_back", "-f", "{{.Labels.team}}"); len(got) != 1 || got[0] != "b" {
		t.Errorf("network label %q, want b", got)
	}
	if got := docker(t, "inspect", p.name+"-web-1", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}"); len(got) != 1 || got[0] != p.name+"_back" {
		t.Errorf("container networks %q", got)
	}
}

// appOnData is a service app that mounts the volume data; the volume
// tests add data's definition under a top-level volumes: key.
const appOnData = `
services:
  app:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    volumes: [data:/data]
`

// A volume whose labels changed is recreated (its data lost) only when the
// user agrees: up asks, as Docker Compose does, and reads the answer from
// stdin; no input or a no keeps it, with a warning; -y agrees unasked.
func TestUpRecreatesChangedVolumeOnlyWithYes(t *testing.T) {
	const file = appOnData + `volumes:
  data:
    labels: {backup: %s}
`
	p := newProject(t, fmt.Sprintf(file, "daily"))
	p.mustBerth("up", "-d")
	label := func() string {
		return strings.Join(docker(t, "volume", "inspect", p.name+"_data", "-f", "{{.Labels.backup}}"), "")
	}
	p.write(fmt.Sprintf(file, "weekly"))
	question := `Volume "` + p.name + `_data" exists but doesn't match configuration in compose file. Recreate (data will be lost)?`
	answered := func(answer string, args ...string) (stdout, stderr string) {
		t.Helper()
		cmd := p.command(args...)
		cmd.Stdin = strings.NewReader(answer)
		var o, e strings.Builder
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("berth %v answering %q: %v\n%s%s", args, answer, err, o.String(), e.String())
		}
		return o.String(), e.String()
	}
	for _, answer := range []string{"", "n\n"} {
		stdout, stderr := answered(answer, "up", "-d")
		if !strings.Contains(stdout, question) || !strings.Contains(stderr, "it is kept: up -y recreates it") || label() != "daily" {
			t.Fatalf("answering %q: label %q, stdout:\n%s\nstderr:\n%s", answer, label(), stdout, stderr)
		}
	}
	stdout, stderr := answered("y\n", "up", "-d")
	if label() != "weekly" || !strings.Contains(stdout, question) || !strings.Contains(stderr, "Volume "+p.name+"_data Created (config changed: labels.backup)") {
		t.Errorf("answering yes: label %q, stdout:\n%s\nstderr:\n%s", label(), stdout, stderr)
	}
	p.wantState("app", "running", "after the volume's recreate")

	p.write(fmt.Sprintf(file, "monthly"))
	stdout, stderr = answered("n\n", "up", "-d", "-y")
	if label() != "monthly" || strings.Contains(stdout, question) {
		t.Errorf("with -y: label %q, stdout:\n%s\nstderr:\n%s", label(), stdout, stderr)
	}
	p.wantState("app", "running", "after the volume's recreate with -y")
}

// A service whose external volume now names another volume gets a
// container that mounts the new one.
func TestUpSwitchesExternalVolume(t *testing.T) {
	const file = appOnData + `volumes:
  data: {external: true, name: %s}
`
	p := newProject(t, "services: {}")
	one, two := p.name+"-one", p.name+"-two"
	for _, v := range []string{one, two} { // the label lets the cleanup remove them
		docker(t, "volume", "create", "--label", "com.docker.compose.project="+p.name, v)
	}
	mounted := func() string {
		return strings.Join(docker(t, "inspect", p.name+"-app-1", "-f", "{{(index .Mounts 0).Name}}"), "")
	}
	p.write(fmt.Sprintf(file, one))
	p.mustBerth("up", "-d")
	p.write(fmt.Sprintf(file, two))
	_, stderr := p.mustBerth("up", "-d")
	if mounted() != two || !strings.Contains(stderr, "volume at /data changed: "+one+" -> "+two) {
		t.Errorf("mounted %q, stderr:\n%s", mounted(), stderr)
	}
}

// stop reports a container that is already stopped, as Docker Compose
// does; restart brings a healthy dependency back before what restarts with it.
func TestStopStoppedAndRestartWithDependency(t *testing.T) {
	p := newProject(t, `
services:
  db:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    healthcheck: {test: ["CMD", "true"], interval: 1s}
  web:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    depends_on: {db: {condition: service_healthy, restart: true}}
  cron:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    depends_on: {db: {condition: service_healthy}}
`)
	p.mustBerth("up", "-d")
	p.mustBerth("stop", "cron")
	_, stderr := p.mustBerth("stop", "cron")
	if !strings.Contains(stderr, "Container "+p.name+"-cron-1 Stopped (not running)") {
		t.Errorf("second stop:\n%s", stderr)
	}
	_, stderr = p.mustBerth("restart", "db")
	healthy := strings.Index(stderr, "Container "+p.name+"-db-1 Healthy")
	web := strings.Index(stderr, "Container "+p.name+"-web-1 Restarting")
	if healthy < 0 || web < healthy || strings.Contains(stderr, "cron") {
		t.Errorf("restart db:\n%s", stderr)
	}
}

// Ctrl-C on attached `up web` stops web and leaves its dependency running;
// stdout names the containers it attaches to first.
func TestAttachedUpInterruptLeavesDependencies(t *testing.T) {
	p := newProject(t, `
services:
  db:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
  web:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo web up; sleep 1000"]
    init: true
    depends_on: [db]
`)
	r := p.start("up", "--no-color", "web")
	r.waitLine(`^Attaching to web-1$`, `^web-1 +\| web up$`)
	r.signal(syscall.SIGINT)
	if code := r.wait(60 * time.Second); code != 130 {
		t.Fatalf("exit code after Ctrl-C: %d, want 130\n%s", code, r.output())
	}
	p.wantState("web", "exited", "after Ctrl-C")
	p.wantState("db", "running", "after Ctrl-C")
}
