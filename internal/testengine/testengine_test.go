package testengine_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"berth/internal/testengine"
	"berth/internal/testimages"
)

// TestStartStop starts the modern engine, runs a container on its default
// bridge, and checks that Stop leaves nothing: no directory, namespace,
// mount, cgroup or process, and the machine's docker0 still there.
func TestStartStop(t *testing.T) {
	ctx := context.Background()
	if testing.Short() || !testengine.Enabled() {
		t.Skip("needs " + testengine.Gate + "=1 and no -short")
	}
	hostBridge := exec.Command("ip", "link", "show", "docker0").Run() == nil

	opts, err := testengine.Modern(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := testimages.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	opts.Images = []string{testimages.Busybox}
	opts.Log = testWriter{t}
	e, err := testengine.Launch(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = e.Stop(context.Background())
		}
	})

	cli, err := client.New(client.WithHost(e.Host))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ping, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("private engine %s: API %s", e.Name, ping.APIVersion)
	// The shared engine's containers are not visible here.
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Errorf("a fresh private engine lists %d containers", len(list.Items))
	}

	// A container on the engine's own bridge, through the docker CLI as a
	// user would: started, its output read, left running for Stop.
	docker := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("docker", args...)
		cmd.Env = e.Environ(os.Environ())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if out := docker("run", "--rm", testimages.Busybox, "sh", "-c", "ip -4 addr show eth0 | grep -c inet"); out != "1" {
		t.Errorf("container on the private bridge: eth0 has %q IPv4 addresses, want 1", out)
	}
	id := docker("run", "-d", "--restart", "always", testimages.Busybox, "sleep", "600")

	// Crash and restart: the always container comes back.
	t.Logf("%s running", time.Now().Format("15:04:05.000"))
	if err := e.Crash(); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := e.Restart(rctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s restarted", time.Now().Format("15:04:05.000"))
	if out := docker("inspect", "-f", "{{.State.Running}}", id); out != "true" {
		t.Errorf("after crash and restart, the always container runs=%s", out)
	}

	if err := e.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stopped = true
	t.Logf("%s stopped", time.Now().Format("15:04:05.000"))

	if _, err := os.Stat(e.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still exists after Stop (%v)", e.Dir, err)
	}
	if _, err := os.Stat(e.NetNSPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("network namespace %s still exists after Stop (%v)", e.NetNSPath(), err)
	}
	if m, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(m), e.Dir) || strings.Contains(string(m), e.Name) {
		t.Errorf("mounts of %s remain after Stop", e.Name)
	}
	if dirs, _ := filepath.Glob("/sys/fs/cgroup/*/" + e.Name); len(dirs) > 0 {
		t.Errorf("cgroups remain after Stop: %v", dirs)
	}
	if out, _ := exec.Command("pgrep", "-f", e.Dir).Output(); len(out) > 0 {
		t.Errorf("processes of %s remain after Stop: %s", e.Name, out)
	}
	if hostBridge && exec.Command("ip", "link", "show", "docker0").Run() != nil {
		t.Errorf("the machine's docker0 is gone after the private engine ran")
	}
	// The machine's engine still starts a container on its default bridge.
	if out, err := exec.Command("docker", "run", "--rm", testimages.Busybox, "true").CombinedOutput(); err != nil {
		t.Errorf("the machine's engine cannot run a container on its bridge after the private engine: %v\n%s", err, out)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}
