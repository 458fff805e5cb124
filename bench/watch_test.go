package bench

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/internal/testimages"

	"github.com/moby/moby/client"
)

// BenchmarkWatch is the watch phase: save-to-visible latency of a sync
// over 100 edits (p50, p95), a burst of 200 files (one batch, how long
// until it is in the container), and the idle CPU of `berth watch` on a
// tree of 20,000 files.
//
// Visible means readable inside the container: a shell loop in the
// container reads the file every 10 ms (with the shell's own read, no
// fork) and prints what it sees; the benchmark follows its log stream and
// takes the time from the host's write to the line. The loop's period and
// the log stream add up to ~10 ms to every figure.
func BenchmarkWatch(b *testing.B) {
	testimages.Require(b)
	bin, err := berthBin()
	if err != nil {
		b.Fatal(err)
	}
	name := "berth-bench-watch-" + runID
	dir := b.TempDir()
	writeWatchProject(b, dir)
	up := exec.Command(bin, "-p", name, "--progress", "quiet", "up", "-d")
	up.Dir = dir
	remember(name) // swept at the end, on failure and on Ctrl-C
	if out, err := up.CombinedOutput(); err != nil {
		b.Fatalf("up: %v\n%s", err, out)
	}
	seen := followLogs(b, name+"-app-1")
	w := startWatch(b, bin, name, dir)
	for b.Loop() {
		lat := saveToVisible(b, dir, seen, 100)
		p50, p95 := percentile(lat, 50), percentile(lat, 95)
		floor := rawToVisible(b, name+"-app-1", seen, 30)
		burst, batches := burstOf(b, dir, w, 200)
		cpu := idleCPU(b, bin, name+"-idle", 20000, 10*time.Second)
		b.ReportMetric(ms(p50), "sync-p50-ms")
		b.ReportMetric(ms(p95), "sync-p95-ms")
		b.ReportMetric(ms(burst), "burst200-ms")
		b.ReportMetric(cpu, "idle-cpu-%")
		fmt.Printf("\nwatch phase (targets in brackets)\n"+
			"  sync save-to-visible over %d edits: p50 %.0f ms [≤150], p95 %.0f ms [≤400], min %.0f ms, max %.0f ms\n"+
			"  engine floor (one archive PUT of the file, no berth) over %d edits: p50 %.0f ms, p95 %.0f ms\n"+
			"  200-file burst: %d batch(es), in the container after %.0f ms [1 batch, ≤1000]\n"+
			"  idle CPU of berth watch on 20,000 files: %.2f %% [<1]\n",
			len(lat), ms(p50), ms(p95), ms(slices.Min(lat)), ms(slices.Max(lat)),
			len(floor), ms(percentile(floor, 50)), ms(percentile(floor, 95)), batches, ms(burst), cpu)
	}
}

func writeWatchProject(b *testing.B, dir string) {
	b.Helper()
	compose := `services:
  app:
    image: ` + testimages.Busybox + `
    init: true
    command: ["sh", "-c", "mkdir -p /app; touch /app/edit.txt; prev=; while :; do c=; read c < /app/edit.txt; if [ \"$$c\" != \"$$prev\" ]; then echo \"seen $$c\"; prev=$$c; fi; sleep 0.01; done"]
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
`
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		b.Fatal(err)
	}
}

// followLogs streams the container's "seen X" lines with the time each
// arrived.
func followLogs(b *testing.B, container string) <-chan seenLine {
	b.Helper()
	cmd := exec.Command("docker", "logs", "-f", "--tail", "0", container)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ch := make(chan seenLine, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "seen "); ok {
				ch <- seenLine{v, time.Now()}
			}
		}
	}()
	return ch
}

type seenLine struct {
	value string
	at    time.Time
}

// watchProc is a running `berth watch`: its output lines as they come.
type watchProc struct {
	cmd   *exec.Cmd
	lines chan string
}

func startWatch(b *testing.B, bin, name, dir string) *watchProc {
	b.Helper()
	cmd := exec.Command(bin, "-p", name, "--progress", "quiet", "watch", "--no-up")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w := &watchProc{cmd: cmd, lines: make(chan string, 4096)}
	b.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	w.await(b, regexp.MustCompile(`^ Watch enabled$`))
	return w
}

// await returns the first line matching re (60 s at most).
func (w *watchProc) await(b *testing.B, re *regexp.Regexp) string {
	b.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				b.Fatal("berth watch ended")
			}
			if re.MatchString(l) {
				return l
			}
		case <-timeout:
			b.Fatalf("no line matching %s within 60s", re)
		}
	}
}

// saveToVisible writes n edits, each once the previous one was seen.
func saveToVisible(b *testing.B, dir string, seen <-chan seenLine, n int) []time.Duration {
	b.Helper()
	file := filepath.Join(dir, "src", "edit.txt")
	var lat []time.Duration
	for i := range n {
		want := "edit-" + strconv.Itoa(i) + "-" + runID
		start := time.Now()
		if err := os.WriteFile(file, []byte(want+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
	wait:
		for {
			select {
			case s := <-seen:
				if s.value == want {
					lat = append(lat, s.at.Sub(start))
					break wait
				}
			case <-timeout:
				b.Fatalf("edit %d not visible in the container within 30s", i)
			}
		}
	}
	return lat
}

// rawToVisible is the engine's floor for the same measure: the edit is
// put into the container by one archive call from here, as the sync does,
// without berth (no watch, no batching, no container list).
func rawToVisible(b *testing.B, container string, seen <-chan seenLine, n int) []time.Duration {
	b.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	var lat []time.Duration
	for i := range n {
		want := "raw-" + strconv.Itoa(i) + "-" + runID
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "app/edit.txt", Mode: 0o644, Size: int64(len(want) + 1)})
		tw.Write([]byte(want + "\n"))
		tw.Close()
		start := time.Now()
		if _, err := cli.CopyToContainer(context.Background(), container, client.CopyToContainerOptions{DestinationPath: "/", Content: &buf}); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
	wait:
		for {
			select {
			case s := <-seen:
				if s.value == want {
					lat = append(lat, s.at.Sub(start))
					break wait
				}
			case <-timeout:
				b.Fatalf("raw edit %d not visible within 30s", i)
			}
		}
	}
	return lat
}

// burstOf writes n files as fast as the host can and returns the time
// until the sync that carried the last of them returned, and how many
// batches carried them.
func burstOf(b *testing.B, dir string, w *watchProc, n int) (time.Duration, int) {
	b.Helper()
	drain(w.lines)
	burst := filepath.Join(dir, "src", "burst-"+runID)
	start := time.Now()
	if err := os.MkdirAll(burst, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(burst, fmt.Sprintf("f%03d", i)), []byte("x"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	synced := regexp.MustCompile(`^ Watch app synced (\d+) files? to /app`)
	total, batches := 0, 0
	for total < n {
		m := synced.FindStringSubmatch(w.await(b, synced))
		k, _ := strconv.Atoi(m[1])
		total += k
		batches++
	}
	return time.Since(start), batches
}

func drain(ch <-chan string) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// idleCPU starts `berth watch --no-up` on a tree of files files (100 to a
// directory) and measures the CPU time it uses while nothing changes.
func idleCPU(b *testing.B, bin, name string, files int, over time.Duration) float64 {
	b.Helper()
	dir := b.TempDir()
	writeWatchProject(b, dir)
	for i := range files {
		d := filepath.Join(dir, "src", fmt.Sprintf("d%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%03d", i%100)), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	w := startWatch(b, bin, name, dir) // --no-up: nothing runs, nothing is created
	defer func() { w.cmd.Process.Signal(os.Interrupt); w.cmd.Wait() }()
	before, err := cpuTicks(w.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	time.Sleep(over) // the idle period being measured: nothing to await
	after, err := cpuTicks(w.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	const clkTck = 100 // USER_HZ on Linux
	return float64(after-before) / clkTck / time.Since(start).Seconds() * 100
}

// cpuTicks is the process's user+system time in clock ticks.
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command (which may hold spaces) start after ") ".
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime, nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}
