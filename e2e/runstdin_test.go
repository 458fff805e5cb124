package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// Piped input reaches a one-off and its end closes the container's stdin,
// as with `docker compose run -T svc cat`; -p and -f are run's own flags.
func TestRunPipesStdin(t *testing.T) {
	p := newProject(t, `
services:
  cat:
    image: berth-test/busybox:latest
    command: [cat]
`)
	cmd := exec.Command(berthBin(t), "-p", p.name, "run", "--rm", "-T", "-p", "127.0.0.1::80", "cat")
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=")
	cmd.Stdin = bytes.NewBufferString("piped line\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	if out.String() != "piped line\n" {
		t.Errorf("run cat echoed %q, want the piped line", out.String())
	}
	if cs := p.containers(); len(cs) != 0 {
		t.Errorf("run --rm left %v", cs)
	}
}
