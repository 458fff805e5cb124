package testengine_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"berth/internal/testengine"
	"berth/internal/testimages"
)

// TestSystemDockerd: the helper also runs the machine's own dockerd
// (Debian's 20.10) privately, as fault tests that crash an engine need:
// it answers, runs a container from a loaded image, and goes away.
func TestSystemDockerd(t *testing.T) {
	if testing.Short() || !testengine.Enabled() {
		t.Skip("needs " + testengine.Gate + "=1 and no -short")
	}
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Skip("no dockerd on the PATH")
	}
	ctx := context.Background()
	if err := testimages.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	e := testengine.StartWith(ctx, t, testengine.Options{Dockerd: dockerd, Images: []string{testimages.Busybox}})
	cmd := exec.Command("docker", "run", "--rm", testimages.Busybox, "echo", "hello")
	cmd.Env = e.Environ(os.Environ())
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello" {
		t.Fatalf("docker run on the private %s: %v\n%s", dockerd, err, out)
	}
}
