package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// running is a berth process the test talks to while it runs (attached up,
// logs -f): its stdout arrives line by line, so the test waits for output
// instead of sleeping.
type running struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	mu     sync.Mutex
	out    []string
	stderr bytes.Buffer
	done   chan error
}

// start runs berth in the project directory without waiting for it.
func (p *project) start(args ...string) *running {
	p.t.Helper()
	cmd := exec.Command(berthBin(p.t), append([]string{"-p", p.name, "--progress", "plain"}, args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=")
	r := &running{t: p.t, cmd: cmd, lines: make(chan string, 1024), done: make(chan error, 1)}
	cmd.Stderr = &r.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go r.read(stdout)
	p.t.Cleanup(func() { _ = cmd.Process.Kill(); <-r.done })
	return r
}

func (r *running) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		r.mu.Lock()
		r.out = append(r.out, sc.Text())
		r.mu.Unlock()
		select {
		case r.lines <- sc.Text():
		default: // nobody waits for lines now; out keeps them
		}
	}
	close(r.lines)
	r.done <- r.cmd.Wait()
	close(r.done)
}

// waitLine reads lines until each of res has matched one, in any order.
func (r *running) waitLine(res ...string) {
	r.t.Helper()
	var rxs []*regexp.Regexp
	for _, re := range res {
		rxs = append(rxs, regexp.MustCompile(re))
	}
	timeout := time.After(60 * time.Second)
	for len(rxs) > 0 {
		select {
		case l, ok := <-r.lines:
			if !ok {
				r.t.Fatalf("berth ended before lines matching %q:\n%s\nstderr:\n%s", res, r.output(), r.stderr.String())
			}
			for i, rx := range rxs {
				if rx.MatchString(l) {
					rxs = append(rxs[:i], rxs[i+1:]...)
					break
				}
			}
		case <-timeout:
			r.t.Fatalf("no lines matching %q within 60s:\n%s", res, r.output())
		}
	}
}

// wait waits for berth to exit and returns its exit code.
func (r *running) wait() int {
	r.t.Helper()
	go func() {
		for range r.lines { // drain: read never blocks on the channel
		}
	}()
	select {
	case err := <-r.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		} else if err != nil {
			r.t.Fatal(err)
		}
		return 0
	case <-time.After(90 * time.Second):
		r.t.Fatalf("berth did not exit within 90s:\n%s\nstderr:\n%s", r.output(), r.stderr.String())
	}
	return -1
}

func (r *running) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.out, "\n")
}

func (r *running) signal(sig os.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

// count is how many lines of out match re.
func count(out, re string) int {
	return len(regexp.MustCompile("(?m)"+re).FindAllString(out, -1))
}

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
	stdout, stderr, err := p.berth("up", "--no-color")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	line := regexp.MustCompile(`^(a-1   \| a|bb-1  \| bb) \d+ ` + payload + `$`)
	got := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		switch {
		case line.MatchString(l):
			got[strings.Fields(l)[0]]++
		case l == "a-1   | first a" || l == "bb-1  | first bb": // the first line is never lost
			got[l]++
		case l == "a-1 exited with code 0" || l == "bb-1 exited with code 0":
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
	if st := p.containers()[p.name+"-web-1"]; st != "exited" {
		t.Errorf("web after abort: %q, want exited", st)
	}
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
	stdout, stderr, err := p.berth("up", "--abort-on-container-exit")
	if err != nil {
		t.Fatalf("up: %v (exit code of job is 0)\n%s\n%s", err, stdout, stderr)
	}
	for _, want := range []string{"Aborting on container exit...", "web-1  | bye", "web-1 exited with code 0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if st := p.containers()[p.name+"-web-1"]; st != "exited" {
		t.Errorf("web after abort: %q, want exited", st)
	}
}

func TestUpOnFailureGivesUp(t *testing.T) {
	p := newProject(t, `
services:
  crash:
    image: berth-test/busybox:latest
    restart: on-failure:2
    command: ["sh", "-c", "echo crashing; exit 1"]
`)
	stdout, stderr, err := p.berth("up", "--no-color")
	if err != nil {
		t.Fatalf("up: %v\n%s\n%s", err, stdout, stderr)
	}
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
	if st := p.containers()[p.name+"-once-1"]; st != "exited" {
		t.Errorf("once (restart: no): %q, want exited", st)
	}
	r.signal(syscall.SIGINT)
	if code := r.wait(); code != 130 {
		t.Fatalf("exit code after Ctrl-C: %d, want 130\n%s\nstderr:\n%s", code, r.output(), r.stderr.String())
	}
	out := r.output()
	if !strings.Contains(out, "Gracefully stopping... (press Ctrl+C again to force)") || count(out, `^web-1 exited with code 0$`) != 1 {
		t.Errorf("Ctrl-C output:\n%s", out)
	}
	if st := p.containers()[p.name+"-web-1"]; st != "exited" {
		t.Errorf("web after Ctrl-C: %q, want exited", st)
	}
	p.mustBerth("up", "-d")
	if st := p.containers()[p.name+"-web-1"]; st != "running" {
		t.Errorf("web after up -d: %q, want running", st)
	}
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
