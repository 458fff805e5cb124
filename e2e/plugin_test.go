package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// berth as a Docker CLI plugin: installed as docker-compose in the
// cli-plugins directory of a temporary DOCKER_CONFIG, `docker compose …`
// must run it.

// pluginConfig makes a docker configuration directory with berth installed
// as the compose plugin, and returns it.
func pluginConfig(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "docker-config")
	plugins := filepath.Join(dir, "cli-plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	bin, err := filepath.Abs(berthBin(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(plugins, "docker-compose")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// dockerWith runs the docker CLI with DOCKER_CONFIG set, in dir.
func dockerWith(t *testing.T, config, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+config, "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func mustDockerWith(t *testing.T, config, dir string, args ...string) string {
	t.Helper()
	o, e, err := dockerWith(t, config, dir, args...)
	if err != nil {
		t.Fatalf("docker %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, o, e)
	}
	return o
}

func TestPluginHandshake(t *testing.T) {
	p := newProject(t, "services:\n  web:\n    image: berth-test/busybox:latest\n")
	config := pluginConfig(t)
	// docker help lists the plugin with the metadata's description, which
	// it shows only for a plugin whose handshake it accepted.
	if out := mustDockerWith(t, config, p.dir, "help"); !strings.Contains(out, "Docker Compose (berth)") {
		t.Errorf("docker help does not list berth:\n%s", out)
	}
	if out := mustDockerWith(t, config, p.dir, "compose", "version"); !strings.HasPrefix(out, "berth version ") {
		t.Errorf("docker compose version: %q", out)
	}
	out := mustDockerWith(t, config, p.dir, "compose", "-p", "x", "config")
	if !strings.Contains(out, "name: x\n") || !strings.Contains(out, "image: berth-test/busybox:latest") {
		t.Errorf("docker compose -p x config:\n%s", out)
	}
}

// Commands that talk to the engine, with a docker global option that must
// reach berth's endpoint choice: -H names the engine berth uses.
func TestPluginUpPsDown(t *testing.T) {
	p := newProject(t, upPsDown)
	config := pluginConfig(t)
	mustDockerWith(t, config, p.dir, "compose", "-p", p.name, "--progress", "plain", "up", "-d")
	if cs := p.containers(); cs[p.name+"-web-1"] != "running" || cs[p.name+"-db-1"] != "running" {
		t.Errorf("after docker compose up -d: %v", cs)
	}
	out := mustDockerWith(t, config, p.dir, "-H", engineHost(), "compose", "-p", p.name, "ps", "--services")
	if out != "db\nweb\n" {
		t.Errorf("docker -H … compose ps --services: %q", out)
	}
	_, stderr, err := dockerWith(t, config, p.dir, "-H", "unix:///nonexistent/docker.sock", "compose", "-p", p.name, "ps")
	if err == nil || !strings.Contains(stderr, "/nonexistent/docker.sock") {
		t.Errorf("-H to no engine: err %v, stderr %q", err, stderr)
	}
	mustDockerWith(t, config, p.dir, "compose", "-p", p.name, "--progress", "plain", "down")
	if cs := p.containers(); len(cs) != 0 {
		t.Errorf("after docker compose down: %v", cs)
	}
}

// engineHost is the engine the rest of the tests use.
func engineHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unix:///var/run/docker.sock"
}

// Interrupting the docker CLI whose output is no terminal: the CLI closes
// its plugin socket, and the attached up stops the project gracefully, as
// after Ctrl-C (exit 130, containers stopped, not left running).
func TestPluginInterruptStopsAttachedUp(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    command: [sh, -c, "echo ready; while true; do echo tick; sleep 1; done"]
    stop_signal: SIGKILL
`)
	config := pluginConfig(t)
	cmd := exec.Command("docker", "compose", "-p", p.name, "up")
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+config, "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // after a failure; a no-op once it exited
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Straight after the first line: a signal that comes before berth's
	// own handler is registered still counts as the first Ctrl-C.
	awaitLine(t, lines, time.After(60*time.Second), "ready")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	awaitLine(t, lines, time.After(30*time.Second), "Gracefully stopping")
	for range lines { // drain to EOF so Wait can finish
	}
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("docker compose up after SIGINT: %v, want exit 130", err)
	}
	p.wantState("web", "exited", "after the interrupt")
}

// awaitLine reads lines until one contains want, or fails at the deadline.
func awaitLine(t *testing.T, lines <-chan string, deadline <-chan time.Time, want string) {
	t.Helper()
	var seen []string
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before %q:\n%s", want, strings.Join(seen, "\n"))
			}
			if strings.Contains(l, want) {
				return
			}
			seen = append(seen, l)
		case <-deadline:
			t.Fatalf("no %q within the deadline:\n%s", want, strings.Join(seen, "\n"))
		}
	}
}

// Ctrl-C at a terminal reaches the docker CLI and berth alike (one process
// group), and the CLI, its output being no terminal, closes the plugin
// socket too: one press, that cancels the build, exit 130 (it was 255:
// berth took the close for a second press and died of the signal).
func TestPluginGroupInterruptCancelsBuild(t *testing.T) {
	p := newProject(t, "")
	p.writeAll(map[string]string{
		"compose.yaml": "services:\n  slow:\n    build: .\n    image: " + p.name + "-slow\n",
		"Dockerfile":   "FROM berth-test/busybox:latest\nRUN echo building && sleep 600\n",
	})
	config := pluginConfig(t)
	cmd := exec.Command("docker", "compose", "-p", p.name, "--progress", "plain", "build")
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+config, "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the group a terminal would signal
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }) // after a failure
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	awaitLine(t, lines, time.After(60*time.Second), "building")
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for range lines { // drain to EOF so Wait can finish
		}
	}()
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("docker compose build still runs 30s after the interrupt")
	}
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("docker compose build after SIGINT to its group: %v, want exit 130", err)
	}
}
