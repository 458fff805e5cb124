package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchProject writes n independent busybox services, the benchmark's
// shape, each with the given extra lines.
func benchProject(b testing.TB, n int, extra string) string {
	var sb strings.Builder
	sb.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  s%d:\n    image: berth-test/busybox:latest\n    command: [\"sleep\", \"3600\"]\n    stop_grace_period: 1s\n%s", i, extra)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoad50 times a load of the benchmark's 50 independent services
// (served from the project cache after the first load, as in a user's runs).
func BenchmarkLoad50(b *testing.B) {
	benchLoad(b, benchProject(b, 50, ""))
}

// BenchmarkLoad50Environment is BenchmarkLoad50 with an environment in every
// service, which keeps the project out of the project cache: only
// validation is skipped.
func BenchmarkLoad50Environment(b *testing.B) {
	benchLoad(b, benchProject(b, 50, "    environment: {A: \"1\"}\n"))
}

func benchLoad(b *testing.B, dir string) {
	cache := b.TempDir()
	for b.Loop() {
		if _, _, err := Load(context.Background(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cache}}); err != nil {
			b.Fatal(err)
		}
	}
}
