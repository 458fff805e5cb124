package e2e

import (
	"strings"
	"testing"
)

// TestVisitsAppBuildsWithCacheMount brings the visits app up with --build:
// its Dockerfile installs the dependencies under a BuildKit cache mount,
// which berth builds on the engine's built-in BuildKit, with no plugin.
func TestVisitsAppBuildsWithCacheMount(t *testing.T) {
	v := newVisitsApp(t)
	_, stderr := v.p.mustBerth("up", "-d", "--build", "--wait")
	for _, want := range []string{"building with BuildKit", "RUN --mount=type=cache,target=/root/.npm npm install"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in the up output:\n%s", want, stderr)
		}
	}
	v.expect(1)
	v.expect(2)
}
