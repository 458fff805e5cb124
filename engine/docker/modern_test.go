package docker_test

import (
	"context"
	"os"
	"testing"

	"berth/engine"
	"berth/engine/docker"
	"berth/engine/enginetest"
	"berth/internal/testengine"
)

// TestContractModern holds the adapter to the contract on the current
// Docker Engine (internal/testengine's pinned daemon, API 1.56) beside the
// machine's 20.10. Opt-in: BERTH_MODERN=1 (see internal/testengine); it
// needs root, and builds the daemon the first time on a machine.
func TestContractModern(t *testing.T) {
	private := testengine.Start(context.Background(), t)
	environ := private.Environ(os.Environ())
	enginetest.Run(t, func(t *testing.T) engine.Engine {
		e, err := docker.New(context.Background(), environ)
		if err != nil {
			t.Fatalf("the private modern engine: %v", err)
		}
		t.Cleanup(func() { _ = e.Close() })
		return e
	})
}
