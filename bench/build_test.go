package bench

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	mbuild "github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"

	"berth/internal/testimages"
)

// buildFiles is how many files the build phase's context holds.
const buildFiles = 2000

// buildDockerfile has three stages: two independent ones that each do a
// second of work over half the context, and a final one that takes both.
// The classic builder runs the stages one after the other; BuildKit runs
// the two independent ones at once.
const buildDockerfile = `FROM ` + testimages.Busybox + ` AS left
COPY src/left /left
RUN sleep 2 && find /left -type f | wc -l > /left.count
FROM ` + testimages.Busybox + ` AS right
COPY src/right /right
RUN sleep 2 && find /right -type f | wc -l > /right.count
FROM ` + testimages.Busybox + `
COPY --from=left /left.count /
COPY --from=right /right.count /
CMD ["cat", "/left.count", "/right.count"]
`

// BenchmarkBuild is the build phase: berth's BuildKit build of a 3-stage
// Dockerfile over a 2,000-file context against the classic builder's
// (cold, no cache: target ≤ 0.7×), and a no-op rebuild (everything
// cached) against the raw limit, the same POST /build?version=2 with the
// same context made directly (target ≤ 1.2×). Figures are medians of the
// rounds; the machine may be shared, so they are ratios of one run.
func BenchmarkBuild(b *testing.B) {
	testimages.Require(b)
	bin, err := berthBin()
	if err != nil {
		b.Fatal(err)
	}
	dir := writeBuildProject(b)
	name := "berth-bench-build-" + runID
	cli, err := client.New(client.FromEnv)
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	var layers []string // the classic builder's stages, left untagged
	defer func() { removeBuildImages(name, layers) }()
	berth := func(env []string, args ...string) time.Duration {
		cmd := exec.Command(bin, append([]string{"-p", name, "--progress", "plain", "build"}, args...)...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		for _, m := range classicLayer.FindAllSubmatch(out, -1) {
			layers = append(layers, string(m[1]))
		}
		if err != nil {
			b.Fatalf("berth build %v: %v\n%s", args, err, out)
		}
		return took
	}
	ctxTar := contextTar(b, dir)
	var kit, classic, noop, raw []time.Duration
	for b.Loop() {
		kit = append(kit, berth(nil, "--no-cache"))
		classic = append(classic, berth([]string{"DOCKER_BUILDKIT=0"}, "--no-cache"))
		berth(nil) // warm BuildKit's cache for the no-op rebuilds
		noop = append(noop, berth(nil))
		raw = append(raw, rawBuild(b, cli, ctxTar, name+"-raw"))
	}
	report := []string{
		fmt.Sprintf("build phase (%d files, 3 stages; the machine is shared, figures are medians of %d rounds):", buildFiles, len(kit)),
		fmt.Sprintf("  cold BuildKit %v, classic %v: ratio %.2f (target <= 0.70)", medianOf(kit), medianOf(classic), buildRatio(kit, classic)),
		fmt.Sprintf("  no-op rebuild %v, raw POST /build %v: ratio %.2f (target <= 1.20)", medianOf(noop), medianOf(raw), buildRatio(noop, raw)),
	}
	fmt.Println(strings.Join(report, "\n"))
	b.ReportMetric(buildRatio(kit, classic), "cold-kit/classic")
	b.ReportMetric(buildRatio(noop, raw), "noop/raw")
}

// writeBuildProject writes the compose file, the Dockerfile and the
// context's files, half under src/left, half under src/right.
func writeBuildProject(b *testing.B) string {
	dir := b.TempDir()
	files := map[string]string{
		"compose.yaml": "services:\n  app:\n    build: .\n",
		"Dockerfile":   buildDockerfile,
	}
	for i := range buildFiles {
		side := "left"
		if i%2 == 1 {
			side = "right"
		}
		files[filepath.Join("src", side, fmt.Sprintf("d%02d", i%40), fmt.Sprintf("f%04d.txt", i))] = fmt.Sprintf("file %d\n", i)
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// contextTar is the context as the raw build sends it: every file, sorted.
func contextTar(b *testing.B, dir string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	var paths []string
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	slices.Sort(paths)
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(body))}); err != nil {
			b.Fatal(err)
		}
		_, _ = tw.Write(body)
	}
	_ = tw.Close()
	return buf.Bytes()
}

// rawBuild is the raw limit: one POST /build?version=2 of the same context,
// its stream read to the end.
func rawBuild(b *testing.B, cli *client.Client, ctxTar []byte, tag string) time.Duration {
	start := time.Now()
	res, err := cli.ImageBuild(context.Background(), bytes.NewReader(ctxTar), client.ImageBuildOptions{
		Version: mbuild.BuilderBuildKit, Tags: []string{tag}, Dockerfile: "Dockerfile"})
	if err != nil {
		b.Fatal(err)
	}
	out, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || bytes.Contains(out, []byte(`"error"`)) {
		b.Fatalf("raw build: %v\n%s", err, out)
	}
	return time.Since(start)
}

func medianOf(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

func buildRatio(a, b []time.Duration) float64 {
	return float64(medianOf(a)) / float64(medianOf(b))
}

var classicLayer = regexp.MustCompile(`---> ([0-9a-f]{12})\b`)

// removeBuildImages removes what the build phase tagged, then the classic
// builder's stage images it printed, newest first, each only while
// untagged and without force (rm, never prune).
func removeBuildImages(name string, layers []string) {
	_ = exec.Command("docker", "image", "rm", "-f", name+"-app", name+"-raw").Run()
	for i := len(layers) - 1; i >= 0; i-- {
		out, err := exec.Command("docker", "image", "inspect", "--format", "{{len .RepoTags}}", layers[i]).Output()
		if err == nil && strings.TrimSpace(string(out)) == "0" {
			_ = exec.Command("docker", "image", "rm", layers[i]).Run()
		}
	}
}
