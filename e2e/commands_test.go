package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// twoServices is web (unless-stopped) depending on db; both sleep.
const twoServices = `
services:
  db:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
  web:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    restart: unless-stopped
    depends_on: [db]
    ports: ["127.0.0.1::80"]
`

// exitCode is the exit status in err (0 for nil).
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("not an exit: %v", err)
	}
	return ee.ExitCode()
}

func (p *project) wantStates(want map[string]string) {
	p.t.Helper()
	got := p.containers()
	for name, state := range want {
		if got[p.name+"-"+name] != state {
			p.t.Fatalf("%s: state %q, want %q (all: %v)", name, got[p.name+"-"+name], state, got)
		}
	}
}

func TestLifecycleCommands(t *testing.T) {
	p := newProject(t, twoServices)
	p.mustBerth("create")
	p.wantStates(map[string]string{"db-1": "created", "web-1": "created"})
	_, stderr := p.mustBerth("start")
	if strings.Index(stderr, "db-1 Started") > strings.Index(stderr, "web-1 Started") {
		t.Errorf("start order:\n%s", stderr)
	}
	p.wantStates(map[string]string{"db-1": "running", "web-1": "running"})
	_, stderr = p.mustBerth("stop", "-t", "0")
	if strings.Index(stderr, "web-1 Stopped") > strings.Index(stderr, "db-1 Stopped") {
		t.Errorf("stop order:\n%s", stderr)
	}
	// unless-stopped: the engine leaves a stopped container stopped.
	p.wantStates(map[string]string{"db-1": "exited", "web-1": "exited"})
	p.mustBerth("start", "web")
	p.wantStates(map[string]string{"db-1": "running", "web-1": "running"})
	p.mustBerth("pause")
	p.wantStates(map[string]string{"db-1": "paused", "web-1": "paused"})
	p.mustBerth("unpause", "db")
	p.wantStates(map[string]string{"db-1": "running", "web-1": "paused"})
	p.mustBerth("unpause")
	p.mustBerth("kill", "-s", "SIGKILL", "db")
	p.wantStates(map[string]string{"db-1": "exited", "web-1": "running"})
	p.mustBerth("restart", "-t", "0")
	p.wantStates(map[string]string{"db-1": "running", "web-1": "running"})
	p.mustBerth("rm", "--force", "-s", "-v")
	if got := p.containers(); len(got) != 0 {
		t.Fatalf("after rm -s: %v", got)
	}
	_, stderr, err := p.berth("start", "wbe")
	if exitCode(t, err) != 1 || !strings.Contains(stderr, `no such service: wbe (did you mean "web"?)`) {
		t.Fatalf("unknown service: %v\n%s", err, stderr)
	}
}

func TestRunOneOff(t *testing.T) {
	p := newProject(t, twoServices)
	stdout, _, err := p.berth("run", "--rm", "-T", "web", "sh", "-c", "echo hello $X; exit 7")
	if exitCode(t, err) != 7 || strings.TrimSpace(stdout) != "hello" {
		t.Fatalf("run --rm: %v %q", err, stdout)
	}
	p.wantStates(map[string]string{"db-1": "running"}) // the dependency, started
	if got := p.containers(); len(got) != 1 {
		t.Fatalf("run --rm left %v", got)
	}
	stdout, _ = p.mustBerth("run", "-d", "-e", "X=1", "web", "sleep", "1000")
	name := strings.TrimSpace(stdout)
	if !regexp.MustCompile("^" + p.name + `-web-run-[0-9a-f]{12}$`).MatchString(name) {
		t.Fatalf("one-off name %q", name)
	}
	labels := docker(t, "inspect", "--format", `{{index .Config.Labels "com.docker.compose.oneoff"}} {{index .Config.Labels "com.docker.compose.slug"}}`, name)
	if labels[0] != "True" || !strings.HasPrefix(labels[1], strings.TrimPrefix(name, p.name+"-web-run-")) || len(labels[1]) != 64 {
		t.Fatalf("one-off labels %v", labels)
	}
	stdout, _ = p.mustBerth("run", "--rm", "--no-deps", "-T", "-w", "/tmp", "-u", "1234", "--entrypoint", "sh -c", "db", "pwd; id -u")
	if strings.Fields(stdout)[0] != "/tmp" || strings.Fields(stdout)[1] != "1234" {
		t.Fatalf("run -w -u --entrypoint: %q", stdout)
	}
	p.mustBerth("down", "--remove-orphans", "-t", "0")
	if got := p.containers(); len(got) != 0 {
		t.Fatalf("down left %v", got)
	}
}

func TestExec(t *testing.T) {
	p := newProject(t, twoServices)
	p.mustBerth("up", "-d")
	stdout, _, err := p.berth("exec", "-T", "-e", "A=b", "-w", "/tmp", "web", "sh", "-c", "echo $A; pwd; tty; exit 3")
	if exitCode(t, err) != 3 || !strings.HasPrefix(stdout, "b\n/tmp\nnot a tty") {
		t.Fatalf("exec -T: %v %q", err, stdout)
	}
	// A terminal on stdin gives the process one.
	script := exec.Command("script", "-qec", berthBin(t)+" -p "+p.name+" exec web tty", "/dev/null")
	script.Dir = p.dir
	out, err := script.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "/dev/pts/") {
		t.Fatalf("exec with a TTY: %v %q", err, out)
	}
	if _, _, err := p.berth("exec", "-d", "web", "touch", "/tmp/detached"); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := p.berth("exec", "wbe", "true")
	if err == nil || !strings.Contains(stderr, `did you mean "web"?`) {
		t.Fatalf("exec unknown service: %v %s", err, stderr)
	}
}

func TestCpRoundTrip(t *testing.T) {
	p := newProject(t, twoServices)
	p.mustBerth("up", "-d")
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "f.txt"), []byte("payload\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("cp", src, "web:/tmp/copied")
	stdout, _ := p.mustBerth("exec", "-T", "web", "cat", "/tmp/copied/sub/f.txt")
	if stdout != "payload\n" {
		t.Fatalf("in the container: %q", stdout)
	}
	back := filepath.Join(t.TempDir(), "back")
	p.mustBerth("cp", "-a", "web:/tmp/copied", back)
	b, err := os.ReadFile(filepath.Join(back, "sub", "f.txt"))
	fi, _ := os.Stat(filepath.Join(back, "sub", "f.txt"))
	if err != nil || string(b) != "payload\n" || fi.Mode().Perm() != 0o640 {
		t.Fatalf("round trip: %v %q %v", err, b, fi.Mode())
	}
}

func TestLsFindsSeveralProjects(t *testing.T) {
	p1 := newProject(t, twoServices)
	p2 := newProject(t, twoServices)
	p1.mustBerth("up", "-d")
	p2.mustBerth("create")
	stdout, _ := p1.mustBerth("ls", "--all", "--format", "json", "--filter", "name=berth-test-")
	var entries []struct{ Name, Status, ConfigFiles string }
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	found := map[string]string{}
	for _, e := range entries {
		found[e.Name] = e.Status
	}
	if found[p1.name] != "running(2)" || found[p2.name] != "created(2)" {
		t.Fatalf("ls -a: %v", found)
	}
	stdout, _ = p1.mustBerth("ls", "-q")
	if !strings.Contains(stdout, p1.name+"\n") || strings.Contains(stdout, p2.name) {
		t.Fatalf("ls -q (running only): %q", stdout)
	}
}

func TestInspectionCommands(t *testing.T) {
	p := newProject(t, twoServices+`
  job:
    image: berth-test/busybox:latest
    command: sh -c 'sleep 1; exit 3'
`)
	p.mustBerth("up", "-d")
	stdout, _ := p.mustBerth("top", "web")
	if !strings.Contains(stdout, p.name+"-web-1") || !strings.Contains(stdout, "sleep 1000") {
		t.Fatalf("top: %q", stdout)
	}
	stdout, _ = p.mustBerth("port", "web", "80")
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+\n$`).MatchString(stdout) {
		t.Fatalf("port: %q", stdout)
	}
	stdout, _ = p.mustBerth("images", "--format", "json")
	var imgs []struct{ ContainerName, Repository, Tag string }
	if err := json.Unmarshal([]byte(stdout), &imgs); err != nil || len(imgs) != 3 || imgs[0].Repository != "berth-test/busybox" {
		t.Fatalf("images: %v %s", err, stdout)
	}
	stdout, _, err := p.berth("wait", "job")
	if exitCode(t, err) != 3 || strings.TrimSpace(stdout) != "3" {
		t.Fatalf("wait: %v %q", err, stdout)
	}
	stdout, _ = p.mustBerth("stats", "--no-stream", "web")
	if !strings.Contains(stdout, "MEM USAGE / LIMIT") || !strings.Contains(stdout, p.name+"-web-1") {
		t.Fatalf("stats: %q", stdout)
	}
}

func TestEventsAndAttach(t *testing.T) {
	p := newProject(t, twoServices+`
  talker:
    image: berth-test/busybox:latest
    command: sh -c 'until [ -e /tmp/go ]; do echo said hi; sleep 0.2; done; exit 5'
`)
	p.mustBerth("up", "-d")
	cmd := exec.Command(berthBin(t), "-p", p.name, "events", "--json", "db")
	cmd.Dir = p.dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// events prints nothing until it has subscribed, so restart db until
	// an event of db shows (the first restart may come before that).
	evs := make(chan struct{ Action, Service string }, 64)
	go func() {
		dec := json.NewDecoder(out)
		for {
			var ev struct{ Action, Service string }
			if dec.Decode(&ev) != nil {
				close(evs)
				return
			}
			evs <- ev
		}
	}()
	if !sawEvent(p, evs) {
		t.Fatal("events --json printed no event of db")
	}
	// Without StdinOnce on the container the engine ends an attach whose
	// input closes, so this one attaches output only. talker talks until
	// told to exit, which happens once its words came through the attach.
	attach := exec.Command(berthBin(t), "-p", p.name, "attach", "--no-stdin", "talker")
	attach.Dir = p.dir
	said, err := attach.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := attach.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = attach.Process.Kill() })
	lines := bufio.NewScanner(said)
	if !lines.Scan() || lines.Text() != "said hi" {
		t.Fatalf("attach printed %q, %v", lines.Text(), lines.Err())
	}
	docker(t, "exec", p.name+"-talker-1", "touch", "/tmp/go")
	_, _ = io.Copy(io.Discard, said)
	if err := attach.Wait(); exitCode(t, err) != 5 {
		t.Fatalf("attach: %v, want exit code 5", err)
	}
	// The engine would hold an attach to the exited container open
	// forever: berth refuses it at once (the deadline only guards a hang).
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	again := exec.CommandContext(ctx, berthBin(t), "-p", p.name, "attach", "--no-stdin", "talker")
	again.Dir = p.dir
	refused, err := again.CombinedOutput()
	if ctx.Err() != nil || err == nil || !strings.Contains(string(refused), "the container is exited; start it first") {
		t.Fatalf("attach to the exited container: %v %q", err, refused)
	}
}

// sawEvent restarts db up to five times, waiting up to five seconds after
// each for an event of db.
func sawEvent(p *project, evs <-chan struct{ Action, Service string }) bool {
	for range 5 {
		p.mustBerth("restart", "-t", "0", "db")
		timeout := time.After(5 * time.Second)
		for {
			select {
			case ev, ok := <-evs:
				if !ok {
					return false
				}
				if ev.Service == "db" {
					return true
				}
				continue
			case <-timeout:
			}
			break
		}
	}
	return false
}
