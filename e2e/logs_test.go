package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLogsFollowsRestart(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    restart: always
    command: ["sh", "-c", "trap 'exit 2' USR1; echo web running; while true; do sleep 0.1; done"]
`)
	p.mustBerth("up", "-d")
	r := p.start("logs", "-f", "--no-color")
	r.waitLine(`^web-1  \| web running$`)
	docker(t, "exec", p.name+"-web-1", "kill", "-USR1", "1") // dies; the engine restarts it
	r.waitLine(`^web-1  \| web running$`)
	docker(t, "stop", "-t", "0", p.name+"-web-1") // stopped by hand: logs -f ends
	if code := r.wait(90 * time.Second); code != 0 {
		t.Fatalf("logs -f exit code %d\n%s\n%s", code, r.output(), r.rest.String())
	}
	if n := count(r.output(), `^web-1  \| web running$`); n != 2 {
		t.Errorf("%d runs in logs -f, want 2 (no line twice):\n%s", n, r.output())
	}
}

func TestLogsTailIndexTimestamps(t *testing.T) {
	p := newProject(t, `
services:
  job:
    image: berth-test/busybox:latest
    scale: 2
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line $$i; done"]
`)
	p.mustBerth("up", "-d")
	docker(t, "wait", p.name+"-job-1", p.name+"-job-2")
	out, _ := p.mustBerth("logs", "--tail", "2", "--no-log-prefix", "--index", "2", "job")
	if out != "line 4\nline 5\n" {
		t.Errorf("logs --tail 2 --no-log-prefix --index 2: %q", out)
	}
	out, _ = p.mustBerth("logs", "--no-color", "-t", "job")
	stamped := regexp.MustCompile(`^job-[12]  \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line [1-5]$`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 10 {
		t.Errorf("logs of two replicas: %d lines, want 10:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if !stamped.MatchString(l) {
			t.Errorf("line without prefix and timestamp: %q", l)
		}
	}
}

// TestLogsStderrApart: logs writes a container's stderr to its own stderr,
// so `logs 2>/dev/null` keeps only what the container wrote to stdout.
func TestLogsStderrApart(t *testing.T) {
	p := newProject(t, `
services:
  job:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo to out; echo to err >&2"]
`)
	p.mustBerth("up", "-d")
	docker(t, "wait", p.name+"-job-1")
	out, errOut := p.mustBerth("logs", "--no-color", "job")
	if out != "job-1  | to out\n" {
		t.Errorf("logs stdout: %q, want only the container's stdout", out)
	}
	if !strings.Contains(errOut, "job-1  | to err\n") || strings.Contains(errOut, "to out") {
		t.Errorf("logs stderr: %q, want the container's stderr line", errOut)
	}
}
