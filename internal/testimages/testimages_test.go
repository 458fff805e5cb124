package testimages

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestScriptFound(t *testing.T) {
	p, err := Script()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p, "/internal/testimages/build-images.sh") {
		t.Fatalf("Script() = %q", p)
	}
}

// TestImagesRun builds (or finds) the images and runs each one's main
// program, which is what the e2e tests and the demo rely on.
func TestImagesRun(t *testing.T) {
	NeedEngine(t)
	Require(t)
	if err := Ensure(context.Background()); err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	cases := []struct {
		image string
		args  []string
		want  string
	}{
		{Busybox, []string{"sh", "-c", "echo hi from $(readlink /bin/sh)"}, "hi from /usr/bin/busybox"},
		{Node, []string{"node", "-e", "console.log(process.version.startsWith('v'))"}, "true"},
		{Node, []string{"npm", "config", "get", "offline"}, "true"},
		{Redis, []string{"redis-cli", "--version"}, "redis-cli "},
	}
	for _, c := range cases {
		out, err := exec.Command("docker", append([]string{"run", "--rm", "--network", "none", c.image}, c.args...)...).CombinedOutput()
		if err != nil {
			t.Errorf("%s %v: %v\n%s", c.image, c.args, err, out)
			continue
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%s %v = %q, want it to contain %q", c.image, c.args, out, c.want)
		}
	}
}

// TestRedisKeepsDataInVolume checks the redis image's default command: a
// count made in one container is there in the next one that mounts the same
// volume on /data, as the visits example needs.
func TestRedisKeepsDataInVolume(t *testing.T) {
	NeedEngine(t)
	Require(t)
	vol := "berth-test-testimages-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	docker(t, "volume", "create", vol)
	t.Cleanup(func() { _ = exec.Command("docker", "volume", "rm", "-f", vol).Run() })
	for want := 1; want <= 2; want++ {
		id := docker(t, "run", "-d", "--network", "none", "-v", vol+":/data", Redis)
		t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", id).Run() })
		got := redisCLI(t, id, "INCR", "visits")
		if got != strconv.Itoa(want) {
			t.Fatalf("INCR visits in container %d = %q, want %d", want, got, want)
		}
		docker(t, "rm", "-f", id)
	}
}

// redisCLI runs redis-cli in container id, retrying while the server starts
// (up to ten seconds): redis readiness is no engine event to wait for.
func redisCLI(t *testing.T, id string, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("docker", append([]string{"exec", id, "redis-cli"}, args...)...).CombinedOutput()
		if err == nil && !strings.Contains(string(out), "Could not connect") {
			return strings.TrimSpace(string(out))
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-cli %v in %s: %v\n%s", args, id, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// docker runs the docker CLI and returns its trimmed output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestNeedEngineRule runs NeedEngine in a child test binary under -short,
// against an endpoint where no engine answers: it skips, except that
// BERTH_E2E=1 makes it fail, so `BERTH_E2E=1 go test -short` cannot pass by
// skipping the engine tests.
func TestNeedEngineRule(t *testing.T) {
	if os.Getenv("BERTH_NEED_ENGINE_CHILD") == "1" {
		NeedEngine(t)
		return
	}
	noEngine := "DOCKER_HOST=unix://" + t.TempDir() + "/none.sock"
	for _, c := range []struct {
		e2e, want string
		fails     bool
	}{
		{"", "--- SKIP: TestNeedEngineRule", false},
		{"1", "BERTH_E2E=1 but no Docker Engine answers", true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNeedEngineRule$", "-test.short", "-test.v")
		cmd.Env = append(os.Environ(), "BERTH_NEED_ENGINE_CHILD=1", "BERTH_E2E="+c.e2e, noEngine, "DOCKER_CONTEXT=")
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fails || !strings.Contains(string(out), c.want) {
			t.Errorf("BERTH_E2E=%q -short: err %v, want failure %v and %q in:\n%s", c.e2e, err, c.fails, c.want, out)
		}
	}
}
