package reconciler_test

import (
	"os"
	"path/filepath"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// TestPullBuildBuildsOnce: with --pull build the image is built once per
// up, not again by the plan made against the new image.
func TestPullBuildBuildsOnce(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, "services: {app: {build: {context: .}, command: [sleep, inf]}}")
	if err := os.WriteFile(filepath.Join(p.WorkingDir, "Dockerfile"), []byte("FROM busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		eng.ResetCalls()
		if err := up(t, eng, p, reconciler.UpOptions{Pull: "build"}); err != nil {
			t.Fatal(err)
		}
		if n := eng.Calls("BuildImage"); n != 1 {
			t.Errorf("%d builds, want 1", n)
		}
	}
	if st := states(t, eng, p)["demo-app-1"]; st != engine.StateRunning {
		t.Errorf("app is %s", st)
	}
}
