package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/internal/testimages"
	"berth/internal/testregistry"
)

// pullImages is K, the images of the pull phase.
const pullImages = 5

// BenchmarkPull times `berth pull` of K images of several layers each from
// a local registry (docker-registry on a loopback port) against the raw
// limit: the same pulls as parallel Engine API calls. Before every timed
// run the images are removed from the engine, so each run downloads and
// extracts their layers (the busybox base layer stays: "Already exists").
// berth renders its tty progress (--ansi always) to a file, so its peak RSS
// includes the renderer.
func BenchmarkPull(b *testing.B) {
	ctx := context.Background()
	testimages.Require(b)
	reg := testregistry.Start(b, testregistry.Options{})
	refs := seedPullImages(b, reg.Addr)
	dir := b.TempDir()
	var yaml strings.Builder
	yaml.WriteString("services:\n")
	for i, ref := range refs {
		fmt.Fprintf(&yaml, "  s%d: {image: %q}\n", i, ref)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	rawBin, err := buildRaw(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	berth, err := berthBin()
	if err != nil {
		b.Fatal(err)
	}
	tools := []tool{
		{name: "raw", dir: dir, log: filepath.Join(dir, "raw.log"), argv: func(op) []string {
			return append([]string{rawBin, "pull"}, refs...)
		}},
		{name: "berth", dir: dir, log: filepath.Join(dir, "berth.log"), argv: func(op) []string {
			return []string{berth, "-p", "berthbench-pull-" + runID, "--progress", "tty", "--ansi", "always", "pull"}
		}},
	}
	times := map[string][]time.Duration{}
	var rss []int64
	for i := 0; b.Loop(); i++ {
		for j := range tools {
			t := tools[(i+j)%len(tools)]
			removeRefs(refs)
			r, err := t.run(ctx, "pull")
			if err != nil {
				b.Fatal(err)
			}
			times[t.name] = append(times[t.name], r.elapsed)
			if t.name == "berth" {
				rss = append(rss, r.maxRSS)
			}
		}
	}
	b.StopTimer()
	removeRefs(refs)
	reportPull(b, times, rss)
}

// seedPullImages builds K images from busybox with three layers of random
// bytes each, pushes them to the registry and returns their references;
// the local tags go when the benchmark ends.
func seedPullImages(b *testing.B, addr string) []string {
	b.Helper()
	refs := make([]string, pullImages)
	b.Cleanup(func() { removeRefs(refs) })
	for i := range refs {
		refs[i] = fmt.Sprintf("%s/berthbench/pull%d:1", addr, i)
		dockerfile := "FROM berth-test/busybox:latest\n"
		for l, size := range []int{3 << 20, 2 << 20, 1 << 20} {
			dockerfile += fmt.Sprintf("RUN head -c %d /dev/urandom > /layer%d\n", size, l)
		}
		for _, args := range [][]string{{"build", "-q", "-t", refs[i], "-"}, {"push", "-q", refs[i]}} {
			cmd := exec.Command("docker", args...)
			if args[0] == "build" {
				cmd.Stdin = strings.NewReader(dockerfile)
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	}
	return refs
}

// removeRefs removes the images by reference (their only tag), which takes
// their own layers along.
func removeRefs(refs []string) {
	for _, ref := range refs {
		if ref != "" {
			_ = exec.Command("docker", "rmi", ref).Run()
		}
	}
}

// reportPull prints the medians, their ratio and berth's peak RSS, and
// reports them as metrics of the benchmark.
func reportPull(b *testing.B, times map[string][]time.Duration, rss []int64) {
	med := func(ds []time.Duration) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[len(s)/2]
	}
	if len(times["raw"]) == 0 || len(times["berth"]) == 0 {
		return
	}
	raw, berth := med(times["raw"]), med(times["berth"])
	ratio := float64(berth) / float64(raw)
	peak := slices.Max(rss)
	b.ReportMetric(ratio, "berth/raw")
	b.ReportMetric(float64(peak)/(1<<20), "berth-MiB")
	verdict := "ok"
	if ratio > 1.05 || peak > 25<<20 {
		verdict = "MISSED (target ≤1.05× raw, ≤25 MiB)"
	}
	fmt.Printf("pull of %d images (%d rounds): raw %v, berth %v = %.3f× raw; berth peak RSS %.1f MiB with tty progress: %s\n",
		pullImages, len(times["berth"]), raw.Round(time.Millisecond), berth.Round(time.Millisecond), ratio, float64(peak)/(1<<20), verdict)
}
