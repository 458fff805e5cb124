package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"berth/internal/testimages"
)

// The harness: every test gets its own project (a directory and a unique
// project name) and a cleanup that removes whatever carries that project's
// label, through the docker CLI, even when berth itself is what failed.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// berthBin is BERTH_BIN, or a berth built once for this test binary.
func berthBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BERTH_BIN"); p != "" {
		return p
	}
	binOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(file))
		dir, err := os.MkdirTemp("", "berth-e2e-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "berth")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/berth")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// requireEngine applies the project's rule (testimages.NeedEngine: under
// BERTH_E2E=1 the test runs, -short or not, and fails without an engine)
// and makes sure the test images are there.
func requireEngine(t *testing.T) {
	t.Helper()
	testimages.NeedEngine(t)
	testimages.Require(t)
}

// project is one test's compose project.
type project struct {
	t    *testing.T
	dir  string
	name string
	env  []string // extra environment of every berth run (KEY=value)
	// config is XDG_CONFIG_HOME of every berth run: the test's own, so
	// that the inject key berth creates stays out of the user's.
	config string
}

// newProject writes compose.yaml and registers the cleanup.
func newProject(t *testing.T, yaml string) *project {
	t.Helper()
	requireEngine(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	p := &project{t: t, dir: t.TempDir(), config: t.TempDir(), name: "berth-test-" + hex.EncodeToString(b)}
	p.write(yaml)
	t.Cleanup(p.cleanup)
	return p
}

func (p *project) write(yaml string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// command is berth in the project directory with -p name and plain
// progress; the caller's COMPOSE_PROJECT_NAME and COMPOSE_FILE do not leak in.
func (p *project) command(args ...string) *exec.Cmd {
	p.t.Helper()
	cmd := exec.Command(berthBin(p.t), append([]string{"-p", p.name, "--progress", "plain"}, args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(append(os.Environ(), "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=", "XDG_CONFIG_HOME="+p.config), p.env...)
	return cmd
}

// berth runs the binary and waits for it.
func (p *project) berth(args ...string) (stdout, stderr string, err error) {
	p.t.Helper()
	cmd := p.command(args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// mustBerth is berth that fails the test on a non-zero exit.
func (p *project) mustBerth(args ...string) (stdout, stderr string) {
	p.t.Helper()
	o, e, err := p.berth(args...)
	if err != nil {
		p.t.Fatalf("berth %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, o, e)
	}
	return o, e
}

// docker runs the docker CLI and returns its trimmed output lines.
func docker(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.Fields(string(out))
}

func (p *project) label() string { return "label=com.docker.compose.project=" + p.name }

// containers lists "name state" of every container of the project.
func (p *project) containers() map[string]string {
	out := map[string]string{}
	lines := docker(p.t, "ps", "-a", "--filter", p.label(), "--format", "{{.Names}}={{.State}}")
	for _, l := range lines {
		name, state, _ := strings.Cut(l, "=")
		out[name] = state
	}
	return out
}

// wantState checks the state of the service's first container; when says
// at which step of the test.
func (p *project) wantState(service, want, when string) {
	p.t.Helper()
	if st := p.containers()[p.name+"-"+service+"-1"]; st != want {
		p.t.Errorf("%s %s: %q, want %s", service, when, st, want)
	}
}

// id is a container's ID.
func (p *project) id(name string) string {
	ids := docker(p.t, "ps", "-aq", "--no-trunc", "--filter", "name=^"+name+"$")
	if len(ids) != 1 {
		p.t.Fatalf("container %s: %d matches", name, len(ids))
	}
	return ids[0]
}

// cleanup removes every container, network, volume and image labelled with the
// project, whatever state the test left them in.
func (p *project) cleanup() {
	run := func(args ...string) []string {
		out, _ := exec.Command("docker", args...).Output()
		return strings.Fields(string(out))
	}
	if ids := run("ps", "-aq", "--filter", p.label()); len(ids) > 0 {
		run(append([]string{"rm", "-f", "-v"}, ids...)...)
	}
	if ids := run("network", "ls", "-q", "--filter", p.label()); len(ids) > 0 {
		run(append([]string{"network", "rm"}, ids...)...)
	}
	if ids := run("volume", "ls", "-q", "--filter", p.label()); len(ids) > 0 {
		run(append([]string{"volume", "rm", "-f"}, ids...)...)
	}
	// Images berth built carry the project label.
	if ids := run("image", "ls", "-q", "--filter", p.label()); len(ids) > 0 {
		run(append([]string{"image", "rm", "-f"}, ids...)...)
	}
}

// networks lists the project's networks by label.
func (p *project) networks() []string {
	return docker(p.t, "network", "ls", "-q", "--filter", p.label())
}

// requireHostPorts skips a test that reaches a published port from the
// host, or holds a host port itself, when the engine runs in a network
// namespace of its own (internal/testengine's private engines set
// BERTH_TESTENGINE_NETNS): its published ports live in that namespace.
func requireHostPorts(t *testing.T) {
	t.Helper()
	if ns := os.Getenv("BERTH_TESTENGINE_NETNS"); ns != "" {
		t.Skipf("gate: host ports: the engine publishes ports in network namespace %s, not here", ns)
	}
}
