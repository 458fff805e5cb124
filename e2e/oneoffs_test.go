package e2e

import (
	"bufio"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

const twoSleepers = `
services:
  a:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
  b:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
`

// kill --remove-orphans kills the named service and removes only the
// containers of services the file no longer has.
func TestKillRemoveOrphans(t *testing.T) {
	p := newProject(t, twoSleepers+`
  gone:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
`)
	p.mustBerth("up", "-d")
	p.write(twoSleepers)
	_, stderr := p.mustBerth("kill", "--remove-orphans", "a")
	if !strings.Contains(stderr, "Container "+p.name+"-gone-1 Removed (orphan)") {
		t.Errorf("kill --remove-orphans output:\n%s", stderr)
	}
	want := map[string]string{p.name + "-a-1": "exited", p.name + "-b-1": "running"}
	if got := p.containers(); len(got) != 2 || got[p.name+"-a-1"] != want[p.name+"-a-1"] || got[p.name+"-b-1"] != want[p.name+"-b-1"] {
		t.Errorf("containers after kill --remove-orphans a: %v, want %v", got, want)
	}
}

// run -d --rm leaves the removal to the engine: the one-off is destroyed
// once it exits, with berth long gone.
func TestRunDetachedRemovesItself(t *testing.T) {
	p := newProject(t, twoSleepers)
	destroyed := awaitEvent(t, "destroy", p.label())
	out, _ := p.mustBerth("run", "-d", "--rm", "a", "sh", "-c", "exit 0")
	name := strings.TrimSpace(out)
	if !strings.HasPrefix(name, p.name+"-a-run-") {
		t.Fatalf("run -d printed %q, want the one-off's name", name)
	}
	if got := destroyed(); got != name {
		t.Errorf("destroyed %q, want %q", got, name)
	}
}

// wait --down-project returns with the first exit and takes the project down.
func TestWaitDownProject(t *testing.T) {
	p := newProject(t, twoSleepers+`
  quick:
    image: berth-test/busybox:latest
    command: [sh, -c, "sleep 1; exit 3"]
`)
	p.mustBerth("up", "-d")
	out, _, err := p.berth("wait", "--down-project", "a", "quick")
	if code := exitCode(t, err); code != 3 {
		t.Fatalf("wait --down-project: exit %d (%v), want the first container's code\n%s", code, err, out)
	}
	if cs := p.containers(); len(cs) != 0 {
		t.Errorf("containers left after wait --down-project: %v", cs)
	}
}

// awaitEvent subscribes to the engine's container events with the filter
// and returns a function that gives the name of the first one with action.
func awaitEvent(t *testing.T, action, filter string) func() string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	since := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)
	cmd := exec.CommandContext(ctx, "docker", "events", "--since", since, "--format", "{{.Actor.Attributes.name}}",
		"--filter", "type=container", "--filter", "event="+action, "--filter", filter)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("docker events: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	return func() string {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			return sc.Text()
		}
		t.Fatalf("no %s event within the deadline", action)
		return ""
	}
}
