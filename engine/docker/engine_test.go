package docker_test

import (
	"context"
	"os"
	"testing"

	"berth/engine"
	"berth/engine/docker"
	"berth/engine/enginetest"
	"berth/internal/testimages"
	"berth/internal/testregistry"
)

// TestContract holds the adapter to the same contract as the fake, on the
// real engine.
func TestContract(t *testing.T) {
	var cfg enginetest.Config
	if !testing.Short() {
		cfg.Registry = testregistry.Start(t, testregistry.Options{}).Addr
	}
	enginetest.RunConfig(t, cfg, func(t *testing.T) engine.Engine { return newTestEngine(t) })
}

// newTestEngine connects to the engine of this environment. It skips under
// -short or when no engine answers, and fails instead when BERTH_E2E=1
// says an engine must be there.
func newTestEngine(t *testing.T) *docker.Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a Docker Engine (skipped under -short)")
	}
	e, err := docker.New(context.Background(), os.Environ())
	if err != nil {
		if os.Getenv("BERTH_E2E") == "1" {
			t.Fatalf("BERTH_E2E=1 but: %v", err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	testimages.Require(t)
	return e
}
