package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// hooked is one service with every lifecycle hook, each leaving a line in
// the project's data volume.
const hooked = `
services:
  sample:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    volumes: [data:/data]
    pre_start:
      - command: sh -c 'echo pre-a >> /data/log'
      - image: berth-test/busybox:latest
        command: sh -c 'echo pre-b >> /data/log'
    post_start:
      - command: sh -c 'echo post >> /data/log'
    pre_stop:
      - command: sh -c 'echo stop >> /data/log'
volumes:
  data: {}
`

// volumeLog is the data volume's log file, read by a throwaway container.
func (p *project) volumeLog() string {
	p.t.Helper()
	out, err := exec.Command("docker", "run", "--rm", "-v", p.name+"_data:/v", "berth-test/busybox:latest", "cat", "/v/log").CombinedOutput()
	if err != nil {
		p.t.Fatalf("read the volume: %v\n%s", err, out)
	}
	return string(out)
}

func TestHooksRunOnceInOrder(t *testing.T) {
	p := newProject(t, hooked)
	p.mustBerth("up", "-d")
	p.mustBerth("up", "-d")                        // unchanged: no hook again
	p.mustBerth("up", "-d", "--scale", "sample=2") // scale-up: post_start for the new one only
	if got, want := p.volumeLog(), "pre-a\npre-b\npost\npost\n"; got != want {
		t.Errorf("after up, up, scale-up: %q, want %q", got, want)
	}
	p.mustBerth("up", "-d", "--scale", "sample=1", "--force-recreate")
	if got, want := p.volumeLog(), "pre-a\npre-b\npost\npost\npre-a\npre-b\npost\n"; got != want {
		t.Errorf("after --force-recreate: %q, want %q", got, want)
	}
	p.mustBerth("stop")
	if got := p.volumeLog(); !strings.HasSuffix(got, "post\nstop\n") {
		t.Errorf("after stop: %q, want the pre_stop line last", got)
	}
	for name, state := range p.containers() {
		if !strings.HasSuffix(name, "sample-1") || state != "exited" {
			t.Errorf("left behind: %s %s (hook containers must be removed)", name, state)
		}
	}
}

func TestHookFailuresFailTheCommand(t *testing.T) {
	for name, c := range map[string]struct{ hooks, cmd, want string }{
		"pre_start": {"pre_start: [{command: sh -c 'echo ran-0 >> /data/log'}, {command: sh -c 'echo broken >&2; exit 17'}]", "up",
			`service "sample" pre_start[1] exited with code 17: broken`},
		"post_start": {"post_start: [{command: sh -c 'command in error'}]", "up", "sample hook exited with status 127"},
		"pre_stop":   {"pre_stop: [{command: sh -c 'command in error'}]", "down", "sample hook exited with status 127"},
	} {
		t.Run(name, func(t *testing.T) {
			p := newProject(t, "services:\n  sample:\n    image: berth-test/busybox:latest\n    command: sleep 1000\n    init: true\n"+
				"    volumes: [data:/data]\n    "+c.hooks+"\nvolumes:\n  data: {}\n")
			if c.cmd == "down" {
				p.mustBerth("up", "-d")
			}
			_, stderr, err := p.berth(c.cmd, "-d")
			if c.cmd == "down" {
				_, stderr, err = p.berth("down", "-t", "0")
			}
			if code := exitCode(t, err); code != 1 || !strings.Contains(stderr, c.want) {
				t.Fatalf("%s: exit %d, want 1 and %q in:\n%s", c.cmd, code, c.want, stderr)
			}
			switch name {
			case "pre_start":
				p.wantState("sample", "created", "after the failed hook")
				if got := p.volumeLog(); got != "ran-0\n" {
					t.Errorf("the first hook's line: %q", got)
				}
			case "pre_stop":
				p.wantState("sample", "running", "after the failed pre_stop")
			}
		})
	}
}
