package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The watch tests wait for berth's own lines (" Watch enabled", " Watch
// app synced …"), never for time: each line is printed once the engine
// call it reports has returned.

func (p *project) file(rel, content string) {
	p.t.Helper()
	path := filepath.Join(p.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// inContainer runs sh -c script in the service's first container and
// returns its trimmed output; ok is false on a non-zero exit.
func (p *project) inContainer(service, script string) (string, bool) {
	out, err := exec.Command("docker", "exec", p.name+"-"+service+"-1", "sh", "-c", script).CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil
}

func (p *project) wantFile(service, path, want string) {
	p.t.Helper()
	if got, ok := p.inContainer(service, "cat "+path); !ok || got != want {
		p.t.Errorf("%s in %s: %q (ok %v), want %q", path, service, got, ok, want)
	}
}

func (p *project) wantNoFile(service, path string) {
	p.t.Helper()
	if _, ok := p.inContainer(service, "test ! -e "+path); !ok {
		p.t.Errorf("%s exists in %s, want it absent", path, service)
	}
}

const watchSyncCompose = `
services:
  app:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "mkdir -p /app/src /var/linked && ln -s /var/linked /app/src/linked; echo started; exec sleep 1000"]
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app/src
          ignore: ["*.tmp", "cache/"]
          initial_sync: true
        - path: ./assets
          action: sync
          target: /app/assets
          include: ["*.css"]
`

// TestWatchSync: initial_sync, a save, ignore and include, a delete, a
// burst of 200 files as one batch, a directory synced through the
// container's symlink, the symlink refusal, then Ctrl-C stops
// the watch and leaves the service running.
func TestWatchSync(t *testing.T) {
	p := newProject(t, watchSyncCompose)
	p.file("src/first.txt", "one")
	p.file("assets/keep.txt", "")
	r := p.start("watch")
	r.patience = 5 * time.Minute // every engine call is slow on a loaded machine
	r.waitLine(`^ Watch enabled$`)
	r.waitLine(`^ Watch app synced 1 file to /app/src \(\d+ ms\)$`)
	p.wantFile("app", "/app/src/first.txt", "one")

	p.file("src/second.txt", "two")
	r.waitLine(`^ Watch app synced 1 file to /app/src \(\d+ ms\)$`)
	p.wantFile("app", "/app/src/second.txt", "two")

	// Ignored and not included files go nowhere; the next real save shows
	// they were seen and dropped, not merely late.
	p.file("src/x.tmp", "no")
	p.file("src/cache/c", "no")
	p.file("assets/app.js", "no")
	p.file("assets/site.css", "body{}")
	r.waitLine(`^ Watch app synced 1 file to /app/assets \(\d+ ms\)$`)
	p.wantFile("app", "/app/assets/site.css", "body{}")
	p.wantNoFile("app", "/app/src/x.tmp")
	p.wantNoFile("app", "/app/src/cache")
	p.wantNoFile("app", "/app/assets/app.js")

	if err := os.Remove(filepath.Join(p.dir, "src", "first.txt")); err != nil {
		t.Fatal(err)
	}
	r.waitLine(`^ Watch app deleted 1 file in /app/src \(\d+ ms\)$`)
	p.wantNoFile("app", "/app/src/first.txt")

	// A burst: 200 files written as fast as the host can, one batch.
	for i := range 200 {
		p.file(fmt.Sprintf("src/burst/f%03d.txt", i), fmt.Sprint(i))
	}
	r.waitLine(`^ Watch app synced 200 files to /app/src \(\d+ ms\)$`)
	if n, _ := p.inContainer("app", "ls /app/src/burst | wc -l"); n != "200" {
		t.Errorf("%s burst files in the container, want 200", n)
	}

	// A directory moved in whole, where the container has a symlink: the
	// files go through the symlink, which stays.
	staged := filepath.Join(t.TempDir(), "staged")
	if err := os.MkdirAll(staged, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(staged, "hello.txt"), []byte("through"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(staged, filepath.Join(p.dir, "src", "linked")); err != nil {
		t.Fatal(err)
	}
	r.waitLine(`^ Watch app synced 1 file to /app/src \(\d+ ms\)$`)
	p.wantFile("app", "/var/linked/hello.txt", "through")
	if _, ok := p.inContainer("app", "test -L /app/src/linked"); !ok {
		t.Error("/app/src/linked is no longer a symlink in the container")
	}

	// A symlink out of the watched path is refused, named with its rule.
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(p.dir, "src", "leak")); err != nil {
		t.Fatal(err)
	}
	r.waitLine(`^ Watch app error: .*/src/leak: symlink points outside the watched path: refused .* \(service "app" develop.watch\[0\] \(sync .*/src\)\)$`)
	p.wantNoFile("app", "/app/src/leak")

	r.signal(syscall.SIGINT)
	if code := r.wait(60 * time.Second); code != 0 && code != 130 {
		t.Errorf("watch exited %d after Ctrl-C\n%s", code, r.rest.String())
	}
	p.wantState("app", "running", "after the watch stopped")
	if strings.Contains(r.output(), "error") && strings.Count(r.output(), "error") != 1 {
		t.Errorf("unexpected errors:\n%s", r.output())
	}
}

// TestWatchUpActions: up --watch runs every other action while the logs
// stream: sync+restart, restart, sync+exec (and an exec that fails, after
// which the watch goes on), rebuild; Ctrl-C stops the stack as attached
// up does.
func TestWatchUpActions(t *testing.T) {
	p := newProject(t, `
services:
  app:
    build: .
    command: ["sh", "-c", "echo started $(cat /version.txt); exec sleep 1000"]
    develop:
      watch:
        - path: ./src
          action: sync+restart
          target: /app
        - path: ./restart.txt
          action: restart
        - path: ./conf
          action: sync+exec
          target: /conf
          exec:
            command: ["sh", "-c", "cat /conf/c.txt > /conf/seen; echo $$GREETING > /conf/env"]
            environment: {GREETING: hello}
        - path: ./bad
          action: sync+exec
          target: /bad
          exec:
            command: ["sh", "-c", "echo broken >&2; exit 3"]
        - path: ./version.txt
          action: rebuild
`)
	p.file("Dockerfile", "FROM berth-test/busybox:latest\nCOPY version.txt /version.txt\n")
	p.file(".dockerignore", "src\nconf\nbad\n")
	p.file("version.txt", "v1")
	p.file("restart.txt", "")
	p.file("src/.keep", "")
	p.file("conf/.keep", "")
	p.file("bad/.keep", "")
	r := p.start("up", "--watch", "--no-color")
	r.patience = 5 * time.Minute // every engine call is slow on a loaded machine
	r.waitLine(`^app-1 +\| started v1$`, `^ Watch enabled$`)

	p.file("src/index.js", "v2")
	r.waitLine(`^ Watch app synced 1 file to /app \(\d+ ms\)$`, `^ Watch app restarted \(\d+ ms\)$`)
	p.wantFile("app", "/app/index.js", "v2")

	p.file("restart.txt", "again")
	r.waitLine(`^ Watch app restarted \(\d+ ms\)$`)

	p.file("bad/x", "x")
	r.waitLine(`^ Watch app error: container .*-app-1: exec "sh -c echo broken >&2; exit 3" exited 3: broken \(service "app" develop.watch\[3\] \(sync\+exec .*/bad\)\)$`)

	p.file("conf/c.txt", "configured")
	r.waitLine(`^ Watch app executed "sh -c .*" \(\d+ ms\)$`)
	p.wantFile("app", "/conf/seen", "configured")
	p.wantFile("app", "/conf/env", "hello")

	p.file("version.txt", "v2")
	r.waitLine(`^ Watch app rebuilt \(\d+ ms\)$`, `^app-1 +\| started v2$`)

	r.signal(syscall.SIGINT)
	if code := r.wait(90 * time.Second); code != 130 {
		t.Fatalf("exit code after Ctrl-C: %d, want 130\n%s\nstderr:\n%s", code, r.output(), r.rest.String())
	}
	p.wantState("app", "exited", "after Ctrl-C")
}

// TestWatchBadRulesFailBeforeAnythingIsCreated: a missing path is a clear
// error, --dry-run lists the rules, and neither creates anything.
func TestWatchBadRulesFailBeforeAnythingIsCreated(t *testing.T) {
	p := newProject(t, watchSyncCompose)
	p.file("assets/a.css", "")
	_, stderr, err := p.berth("watch")
	if err == nil || !strings.Contains(stderr, `service "app" develop.watch[0]: path `+filepath.Join(p.dir, "src")+` does not exist`) {
		t.Errorf("missing path: err %v, stderr:\n%s", err, stderr)
	}
	_, stderr, err = p.berth("up", "--watch")
	if err == nil || !strings.Contains(stderr, "does not exist") {
		t.Errorf("up --watch with a missing path: err %v, stderr:\n%s", err, stderr)
	}
	p.file("src/a", "")
	out, _ := p.mustBerth("--dry-run", "watch")
	if !strings.Contains(out, " Watch app would sync on changes in "+filepath.Join(p.dir, "src")+" (to /app/src)") {
		t.Errorf("dry run:\n%s", out)
	}
	if c := p.containers(); len(c) != 0 {
		t.Errorf("containers created: %v", c)
	}
}
