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

// engineOrSkip follows the project's rule for engine tests: skip under
// -short, fail when BERTH_E2E=1 and no engine answers, skip otherwise.
func engineOrSkip(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Docker Engine; skipped under -short")
	}
	if err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").Run(); err != nil {
		if os.Getenv("BERTH_E2E") == "1" {
			t.Fatalf("BERTH_E2E=1 but no Docker Engine answers: %v", err)
		}
		t.Skipf("no Docker Engine answers: %v", err)
	}
}

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
	engineOrSkip(t)
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
	engineOrSkip(t)
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
