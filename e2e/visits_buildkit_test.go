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
	stdout, stderr := v.p.mustBerth("up", "-d", "--build", "--wait")
	for _, want := range []string{"building with BuildKit", "RUN --mount=type=cache,target=/root/.npm npm install"} {
		if !strings.Contains(stdout, want) { // the build's output is on stdout, the progress on stderr
			t.Errorf("no %q in the up output:\n%s\n%s", want, stdout, stderr)
		}
	}
	v.expect(1)
	v.expect(2)
}
