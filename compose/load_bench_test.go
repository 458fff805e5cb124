package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchProject writes n independent busybox services, the benchmark's shape.
func benchProject(b testing.TB, n int) string {
	var sb strings.Builder
	sb.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  s%d:\n    image: berth-test/busybox:latest\n    command: [\"sleep\", \"3600\"]\n    stop_grace_period: 1s\n", i)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoad50 times a load of the benchmark's 50 independent services
// (validation cached after the first load, as in a user's runs).
func BenchmarkLoad50(b *testing.B) {
	dir, cache := benchProject(b, 50), b.TempDir()
	for b.Loop() {
		if _, _, err := Load(context.Background(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cache}}); err != nil {
			b.Fatal(err)
		}
	}
}
