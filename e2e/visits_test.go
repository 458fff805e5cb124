package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/internal/testimages"
)

// TestVisitsApp runs examples/visits-app as the README does, on a copy in a
// temporary directory, with the offline images and a free host port: the
// counter rises, survives the node process being killed (restart: always),
// survives down/up (the named volume) and restarts from 1 after down -v.
func TestVisitsApp(t *testing.T) {
	v := newVisitsApp(t)
	v.p.mustBerth("up", "-d", "--build", "--wait")
	for want := 1; want <= 3; want++ {
		v.expect(want)
	}

	v.killNode()
	v.expect(4)
	if n := v.restartCount(); n != 1 {
		t.Errorf("node-app restart count %d after one kill, want 1", n)
	}

	v.p.mustBerth("down")
	v.p.mustBerth("up", "-d", "--wait")
	v.expect(5)

	v.p.mustBerth("down", "-v")
	if vols := docker(t, "volume", "ls", "-q", "--filter", v.p.label()); len(vols) != 0 {
		t.Errorf("volumes after down -v: %v", vols)
	}
	v.p.mustBerth("up", "-d", "--wait")
	v.expect(1)
}

// visitsApp is the example copied into a test project.
type visitsApp struct {
	p   *project
	url string
}

// newVisitsApp copies the example (without a .env a demo run may have
// left) into a fresh project and writes a .env choosing the offline images
// and a free port. Cleanup also removes the image up --build makes.
func newVisitsApp(t *testing.T) *visitsApp {
	t.Helper()
	requireHostPorts(t) // the app is checked over its published port
	src := exampleDir(t)
	compose, err := os.ReadFile(filepath.Join(src, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t, string(compose))
	t.Cleanup(func() {
		p.cleanup() // the containers go first: an image in use cannot be removed
		if out, err := exec.Command("docker", "image", "rm", "-f", p.name+"-node-app").CombinedOutput(); err != nil &&
			!strings.Contains(string(out), "No such image") {
			t.Errorf("remove the built image: %v\n%s", err, out)
		}
	})
	copyExample(t, src, p.dir)
	port := freePort(t)
	env := fmt.Sprintf("REDIS_IMAGE=%s\nNODE_IMAGE=%s\nVISITS_PORT=%d\n", testimages.Redis, testimages.Node, port)
	if err := os.WriteFile(filepath.Join(p.dir, ".env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	return &visitsApp{p: p, url: fmt.Sprintf("http://127.0.0.1:%d/", port)}
}

// exampleDir is examples/visits-app of this checkout.
func exampleDir(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the e2e sources")
	}
	return filepath.Join(filepath.Dir(filepath.Dir(file)), "examples", "visits-app")
}

// copyExample copies the example's files, leaving out what a local run
// makes (.env, node_modules), so the test never depends on or writes into
// the checkout.
func copyExample(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path) // path is under src
		switch {
		case rel == "." || rel == "compose.yaml":
			return nil
		case rel == ".env" || d.Name() == "node_modules":
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy the example: %v", err)
	}
}

// expect asks the app once it answers, and checks the count. The server
// may still be starting (--wait returns when the container runs, before
// node listens), so a failed request is retried until a deadline.
func (v *visitsApp) expect(want int) {
	v.p.t.Helper()
	body := v.get(60 * time.Second)
	if got := strings.TrimSpace(body); got != "Number of visits is "+strconv.Itoa(want) {
		v.p.t.Fatalf("GET %s: %q, want count %d", v.url, got, want)
	}
}

// get returns the body of the first 200 answer within the deadline.
func (v *visitsApp) get(deadline time.Duration) string {
	v.p.t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		body, err := getOnce(ctx, client, v.url)
		if err == nil {
			return body
		}
		last = err.Error()
		select {
		case <-ctx.Done():
			logs, _, _ := v.p.berth("logs", "node-app")
			v.p.t.Fatalf("GET %s: no answer within %s (last: %s)\nnode-app logs:\n%s", v.url, deadline, last, logs)
		case <-tick.C:
		}
	}
}

func getOnce(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s: %s", resp.Status, body)
	}
	return string(body), nil
}

func (v *visitsApp) container() string { return v.p.id(v.p.name + "-node-app-1") }

// killNode kills the server from inside the container, as a crash would,
// and waits for the engine to restart the container. docker kill would not
// do: the engine does not restart a container stopped through its API. PID 1
// (npm) cannot be sent SIGKILL from inside its own PID namespace, so the
// node child dies instead, and npm exits with it.
func (v *visitsApp) killNode() {
	t := v.p.t
	t.Helper()
	id := v.container()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	since := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)
	events := exec.CommandContext(ctx, "docker", "events", "--since", since, "--format", "{{.Action}}",
		"--filter", "container="+id, "--filter", "event=die", "--filter", "event=start")
	out, err := events.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Start(); err != nil {
		t.Fatalf("docker events: %v", err)
	}
	defer func() { cancel(); _ = events.Wait() }()
	if b, err := exec.Command("docker", "exec", id, "sh", "-c", "kill -9 $(pidof node)").CombinedOutput(); err != nil {
		t.Fatalf("kill node in %s: %v\n%s", id, err, b)
	}
	if err := awaitDieThenStart(out); err != nil {
		t.Fatalf("node-app after the kill: %v", err)
	}
}

// awaitDieThenStart reads event actions until a start follows a die.
func awaitDieThenStart(r io.Reader) error {
	died := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		switch sc.Text() {
		case "die":
			died = true
		case "start":
			if died {
				return nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if died {
		return fmt.Errorf("died and was not restarted within the deadline")
	}
	return fmt.Errorf("did not die within the deadline")
}

func (v *visitsApp) restartCount() int {
	out := docker(v.p.t, "inspect", "--format", "{{.RestartCount}}", v.container())
	n, err := strconv.Atoi(strings.Join(out, ""))
	if err != nil {
		v.p.t.Fatalf("restart count %q: %v", out, err)
	}
	return n
}

// TestVisitsAppWatch is the README's watch tour: while `up --watch` runs,
// editing the greeting in server.js shows in the next answer, without a
// rebuild; the counter goes on.
func TestVisitsAppWatch(t *testing.T) {
	v := newVisitsApp(t)
	v.p.mustBerth("build") // the build takes its time; the watch's lines are awaited for 60 s
	r := v.p.start("up", "--watch", "--no-color")
	r.patience = 5 * time.Minute // every engine call is slow on a loaded machine
	r.waitLine(`^ Watch enabled$`)
	v.expect(1)
	server := filepath.Join(v.p.dir, "server.js")
	src, err := os.ReadFile(server)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "const GREETING = 'Number of visits is';", "const GREETING = 'Visits so far:';", 1)
	if edited == string(src) {
		t.Fatal("server.js has no GREETING line to edit")
	}
	if err := os.WriteFile(server, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	r.waitLine(`^ Watch node-app synced 1 file to /app/server.js \(\d+ ms\)$`, `^ Watch node-app restarted \(\d+ ms\)$`)
	// The restarted server answers once node is up again: minutes on a
	// machine as loaded as the one this was written on (load average 60).
	if got := strings.TrimSpace(v.get(5 * time.Minute)); got != "Visits so far: 2" {
		t.Errorf("after the edit: %q, want %q", got, "Visits so far: 2")
	}
	r.signal(syscall.SIGINT)
	if code := r.wait(90 * time.Second); code != 130 {
		t.Errorf("exit code after Ctrl-C: %d, want 130\n%s", code, r.rest.String())
	}
}
