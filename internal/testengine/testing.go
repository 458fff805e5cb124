package testengine

import (
	"context"
	"os"
	"testing"
	"time"

	"berth/internal/testimages"
)

// Gate is the environment variable that turns on the tests on the modern
// engine: BERTH_MODERN=1. They are opt-in because the first run on a
// machine builds the daemon (about 25 minutes of CPU) and every run needs
// root; with the variable set they fail, never skip, when the engine
// cannot start.
const Gate = "BERTH_MODERN"

// Enabled reports whether BERTH_MODERN=1.
func Enabled() bool { return os.Getenv(Gate) == "1" }

// Start starts the pinned modern engine (see Binaries) for t with berth's
// offline test images in it, and stops it when t ends. It skips under
// -short and unless BERTH_MODERN=1; set, any failure fails t.
func Start(ctx context.Context, t testing.TB) *Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a private Docker Engine (skipped under -short)")
	}
	if !Enabled() {
		t.Skip("the modern engine's tests run with " + Gate + "=1 (see internal/testengine)")
	}
	opts, err := Modern(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The images come from the machine's engine: build them there first.
	if err := testimages.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	opts.Images = testimages.All
	return StartWith(ctx, t, opts)
}

// StartWith starts a private engine from opts for t (for example Debian's
// dockerd, for tests that crash and restart an engine), and stops it when
// t ends; teardown failures fail t.
func StartWith(ctx context.Context, t testing.TB, opts Options) *Engine {
	t.Helper()
	if opts.Log == nil {
		opts.Log = logWriter{t}
	}
	e, err := Launch(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		begin := time.Now()
		if err := e.Stop(context.Background()); err != nil {
			t.Errorf("stop the private engine %s: %v", e.Name, err)
		}
		t.Logf("testengine: engine %s torn down in %s", e.Name, time.Since(begin).Round(time.Millisecond))
	})
	return e
}

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}
