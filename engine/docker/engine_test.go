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

// newTestEngine connects to the engine of this environment, under the
// project's rule for engine tests (testimages.NeedEngine: BERTH_E2E=1 runs
// them even under -short and fails them without an engine).
func newTestEngine(t *testing.T) *docker.Engine {
	t.Helper()
	testimages.NeedEngine(t)
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
