package e2e

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUpAttachedPrefixesWholeLines(t *testing.T) {
	// Two services print 300 long lines each as fast as they can: every
	// line must arrive whole, under its own aligned prefix.
	payload := strings.Repeat("x", 3000)
	p := newProject(t, fmt.Sprintf(`
services:
  a:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo first a; i=0; while [ $$i -lt 300 ]; do echo \"a $$i %[1]s\"; i=$$((i+1)); done"]
  bb:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo first bb; i=0; while [ $$i -lt 300 ]; do echo \"bb $$i %[1]s\"; i=$$((i+1)); done"]
`, payload))
	stdout, _ := p.mustBerth("up", "--no-color")
	line := regexp.MustCompile(`^(a-1   \| a|bb-1  \| bb) \d+ ` + payload + `$`)
	got := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		switch {
		case line.MatchString(l):
			got[strings.Fields(l)[0]]++
		case l == "a-1   | first a" || l == "bb-1  | first bb": // the first line is never lost
			got[l]++
		case l == "a-1 exited with code 0" || l == "bb-1 exited with code 0":
		case l == "Attaching to a-1, bb-1": // before the first line, as Docker Compose prints it
		default:
			t.Errorf("unexpected line (interleaved or badly prefixed): %.120q", l)
		}
	}
	if got["a-1"] != 300 || got["bb-1"] != 300 || got["a-1   | first a"] != 1 || got["bb-1  | first bb"] != 1 {
		t.Errorf("lines by prefix: %v, want 300 each and both first lines", got)
	}
}

func TestUpExitCodeFrom(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  test:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo testing; exit 7"]
`)
	stdout, stderr, err := p.berth("up", "--exit-code-from", "test")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("up --exit-code-from test: %v, want exit 7\n%s\n%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "test-1 exited with code 7") {
		t.Errorf("no exit report:\n%s", stdout)
	}
	p.wantState("web", "exited", "after abort")
}

func TestUpAbortOnContainerExit(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done"]
  job:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo done"]
`)
	stdout, _ := p.mustBerth("up", "--abort-on-container-exit") // exits as job did: 0
	for _, want := range []string{"Aborting on container exit...", "web-1  | bye", "web-1 exited with code 0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	p.wantState("web", "exited", "after abort")
}

func TestUpOnFailureGivesUp(t *testing.T) {
	p := newProject(t, `
services:
  crash:
    image: berth-test/busybox:latest
    restart: on-failure:2
    command: ["sh", "-c", "echo crashing; exit 1"]
`)
	stdout, _ := p.mustBerth("up", "--no-color")
	if n := count(stdout, `^crash-1 restarted by the engine \(restart policy on-failure, \d of 2\)$`); n != 2 {
		t.Errorf("%d restarts reported, want 2:\n%s", n, stdout)
	}
	if n := count(stdout, `^crash-1 exited with code 1$`); n != 3 {
		t.Errorf("%d exits reported, want 3:\n%s", n, stdout)
	}
	if n := count(stdout, `^crash-1 will not be restarted`); n != 1 {
		t.Errorf("give-up reported %d times, want once:\n%s", n, stdout)
	}
	if n := count(stdout, `^crash-1  \| crashing$`); n != 3 {
		t.Errorf("%d runs shown, want 3:\n%s", n, stdout)
	}
}

// TestUpPoliciesAndCtrlC: `always` comes back when its process dies, `no`
// stays exited, and Ctrl-C stops the project (exit 130); up -d then
// converges.
func TestUpPoliciesAndCtrlC(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    restart: always
    command: ["sh", "-c", "trap 'exit 2' USR1; trap 'exit 0' TERM; echo web running; while true; do sleep 0.1; done"]
  once:
    image: berth-test/busybox:latest
    restart: "no"
    command: ["sh", "-c", "echo once done"]
`)
	r := p.start("up", "--no-color")
	r.waitLine(`^web-1 +\| web running$`, `^once-1 exited with code 0$`)
	docker(t, "exec", p.name+"-web-1", "kill", "-USR1", "1") // the process dies; the engine restarts it
	r.waitLine(`^web-1 restarted by the engine \(restart policy always\)$`, `^web-1 +\| web running$`)
	p.wantState("once", "exited", "(restart: no)")
	r.signal(syscall.SIGINT)
	if code := r.wait(90 * time.Second); code != 130 {
		t.Fatalf("exit code after Ctrl-C: %d, want 130\n%s\nstderr:\n%s", code, r.output(), r.rest.String())
	}
	out := r.output()
	if !strings.Contains(out, "Gracefully stopping... (press Ctrl+C again to force)") || count(out, `^web-1 exited with code 0$`) != 1 {
		t.Errorf("Ctrl-C output:\n%s", out)
	}
	p.wantState("web", "exited", "after Ctrl-C")
	p.mustBerth("up", "-d")
	p.wantState("web", "running", "after up -d")
}

func TestUpWaitHealthyAndOneShot(t *testing.T) {
	p := newProject(t, `
services:
  init:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "sleep 1; echo init done"]
  db:
    image: berth-test/busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 3}
  web:
    image: berth-test/busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      init: {condition: service_completed_successfully}
      db: {condition: service_healthy}
`)
	p.mustBerth("up", "-d", "--wait", "--wait-timeout", "60")
	health := docker(t, "inspect", "--format", "{{.State.Health.Status}}", p.name+"-db-1")
	if len(health) != 1 || health[0] != "healthy" {
		t.Errorf("db health after --wait: %v", health)
	}
	cs := p.containers()
	if cs[p.name+"-init-1"] != "exited" || cs[p.name+"-web-1"] != "running" {
		t.Errorf("after --wait: %v", cs)
	}
}

func TestUpWaitTimeoutNamesWhatIsNotReady(t *testing.T) {
	p := newProject(t, `
services:
  db:
    image: berth-test/busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "false"], interval: 1s, timeout: 2s, retries: 1000}
  web:
    image: berth-test/busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	start := time.Now()
	_, stderr, err := p.berth("up", "-d", "--wait", "--wait-timeout", "3")
	if err == nil {
		t.Fatalf("up --wait with a never-healthy db succeeded:\n%s", stderr)
	}
	if !strings.Contains(stderr, `service "db"`) || !strings.Contains(stderr, "health: starting") || strings.Contains(stderr, `service "web"`) {
		t.Errorf("timeout error should name db (and only db) and why:\n%s", stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("--wait-timeout 3 took %v", d)
	}
}

// Regression: attached up failed with "this engine cannot copy files into
// containers" when a secret or config came from environment: or content:
// (up -d worked). The container reads both and prints them.
func TestUpAttachedReadsSecretFromEnvironment(t *testing.T) {
	p := newProject(t, `
services:
  job:
    image: berth-test/busybox:latest
    command: [sh, -c, "echo token=$$(cat /run/secrets/token) conf=$$(cat /etc/app.conf)"]
    secrets: [token]
    configs: [{source: conf, target: /etc/app.conf}]
secrets:
  token: {environment: BERTH_E2E_TOKEN}
configs:
  conf: {content: "port=80"}
`)
	p.env = append(p.env, "BERTH_E2E_TOKEN=s3cret")
	stdout, _ := p.mustBerth("up", "--no-color")
	if count(stdout, `^job-1 +\| token=s3cret conf=port=80$`) != 1 {
		t.Errorf("the secret and config read in the container are not shown:\n%s", stdout)
	}
}

// The second Ctrl-C kills what the first one is still stopping gracefully:
// a container that ignores SIGTERM and has an hour to stop ends at once.
func TestUpSecondCtrlCKills(t *testing.T) {
	p := newProject(t, `
services:
  stubborn:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"]
    stop_grace_period: 1h
`)
	r := p.start("up", "--no-color")
	r.waitLine(`^stubborn-1 +\| ready$`)
	// The second Ctrl-C comes once the stop is in flight (the engine has
	// sent SIGTERM), whose answer waits for the container to die.
	stopSent := awaitEvent(t, "kill", "container="+p.name+"-stubborn-1")
	r.signal(syscall.SIGINT)
	r.waitLine(`^Gracefully stopping\.\.\. \(press Ctrl\+C again to force\)$`)
	stopSent()
	r.signal(syscall.SIGINT)
	if code := r.wait(60 * time.Second); code != 130 {
		t.Fatalf("exit code after Ctrl-C twice: %d, want 130\n%s\nstderr:\n%s", code, r.output(), r.rest.String())
	}
	if !strings.Contains(r.rest.String(), "Container "+p.name+"-stubborn-1 Killed") {
		t.Errorf("no kill shown:\n%s", r.rest.String())
	}
	p.wantState("stubborn", "exited", "after Ctrl-C twice")
}
