package e2e

import (
	"strings"
	"testing"
)

// wantFailure runs berth and checks for exit 1 and want on stderr.
func (p *project) wantFailure(want string, args ...string) {
	p.t.Helper()
	_, stderr, err := p.berth(args...)
	if code := exitCode(p.t, err); code != 1 || !strings.Contains(stderr, want) {
		p.t.Errorf("berth %s: exit %d, want 1 and %q in:\n%s", strings.Join(args, " "), code, want, stderr)
	}
}

const oneSleeper = `
services:
  a:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
`

// TestWordsScriptsGrepFor: the commands fail, exit 1, in Docker Compose's
// words (berth may add the service, container or reason).
func TestWordsScriptsGrepFor(t *testing.T) {
	p := newProject(t, oneSleeper)
	p.wantFailure("no such service: nope", "pause", "nope")
	p.wantFailure("no such service: nope", "events", "nope")
	p.mustBerth("up", "-d")
	p.mustBerth("pause", "a")
	p.wantFailure("already paused", "pause", "a")
	p.mustBerth("unpause", "a")
	p.mustBerth("stop")
	p.wantFailure(`service "a" is not running container #1`, "exec", "-T", "a", "true")
}

func TestWordsWaitTimeout(t *testing.T) {
	p := newProject(t, oneSleeper+`    healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 3, start_period: 120s}
`)
	p.wantFailure("application not healthy after 2s", "up", "-d", "--wait", "--wait-timeout", "2")
	p.wantState("a", "running", "after the wait timed out")
}

func TestWordsRefusedBeforeCreating(t *testing.T) {
	const twoNamed = `
services:
  one: {image: berth-test/busybox:latest, container_name: NAME, command: "true"}
  two: {image: berth-test/busybox:latest, container_name: NAME, command: "true"}
`
	p := newProject(t, twoNamed)
	p.write(strings.ReplaceAll(twoNamed, "NAME", p.name+"-fixed"))
	p.wantFailure(`container name "`+p.name+`-fixed" is already in use by service one`, "up", "-d")
	if c := p.containers(); len(c) != 0 {
		t.Errorf("created although refused: %v", c)
	}
	p.mustBerth("up", "-d", "two")

	q := newProject(t, `
services:
  app: {image: berth-test/busybox:latest, command: sleep 1000, init: true, network_mode: "service:db", volumes_from: [db]}
  db: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
`)
	q.mustBerth("up", "-d")
	docker(t, "rm", "-f", q.name+"-db-1")
	q.wantFailure("cannot share network namespace with service db: container missing", "up", "--no-deps", "-d", "app")
	q.wantFailure("cannot share volume with service db: container missing", "up", "--no-deps", "-d", "app")
}

func TestWordsOptionalDependencyAndExitCodes(t *testing.T) {
	p := newProject(t, `
services:
  foo:
    image: berth-test/busybox:latest
    command: echo foo
    depends_on: {bar: {required: false, condition: service_healthy}}
  bar: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
  failure: {image: berth-test/busybox:latest, command: sh -c 'exit 42', profiles: [codes]}
  test: {image: berth-test/busybox:latest, command: sleep 1000, init: true, profiles: [codes]}
`)
	_, stderr := p.mustBerth("up", "-d", "foo")
	if !strings.Contains(stderr, `optional dependency "bar" failed to start`) {
		t.Errorf("optional dependency: %s", stderr)
	}
	_, _, err := p.berth("--profile", "codes", "up", "--menu=false", "--exit-code-from=failure", "failure")
	if code := exitCode(t, err); code != 42 {
		t.Errorf("--exit-code-from failure: exit %d, want 42", code)
	}
	_, _, err = p.berth("--profile", "codes", "up", "--exit-code-from=test", "test", "failure")
	if code := exitCode(t, err); code != 143 {
		t.Errorf("--exit-code-from of a container stopped by the abort: exit %d, want 143", code)
	}
}
