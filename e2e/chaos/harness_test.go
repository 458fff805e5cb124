package chaos

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/internal/testengine"
	"berth/internal/testimages"
)

// Gate is the variable that runs the suite: BERTH_CHAOS=short or full.
const Gate = "BERTH_CHAOS"

// Runs sets every fault's count (BERTH_CHAOS_RUNS=3): a full run that
// fits a time budget, or one fault tried many times.
const Runs = "BERTH_CHAOS_RUNS"

// runs is how often a fault is repeated: short under BERTH_CHAOS=short,
// full under BERTH_CHAOS=full, BERTH_CHAOS_RUNS when that is set.
// Without BERTH_CHAOS the test skips.
func runs(t *testing.T, short, full int) int {
	t.Helper()
	n := -1
	switch os.Getenv(Gate) {
	case "short":
		n = short
	case "full":
		n = full
	}
	if n >= 0 {
		if c, err := strconv.Atoi(os.Getenv(Runs)); err == nil && c > 0 {
			n = c
		}
		return n
	}
	t.Skip("the fault suite runs with " + Gate + "=short or " + Gate + "=full (make chaos)")
	return 0
}

// berthDeadline is how long one berth run may take before it counts as hung.
const berthDeadline = 3 * time.Minute

// The table the suite prints: one row per fault.
type row struct{ runs, converged, lost, hung int }

var (
	tableMu sync.Mutex
	table   = map[string]*row{}
)

// record adds one run of fault to the table.
func record(fault string, converged, lost, hung bool) {
	tableMu.Lock()
	defer tableMu.Unlock()
	r := table[fault]
	if r == nil {
		r = &row{}
		table[fault] = r
	}
	r.runs++
	fmt.Printf("chaos: %s: run %d: converged %v, lost data %v, hung %v\n", fault, r.runs, converged, lost, hung)
	for _, c := range []struct {
		yes bool
		n   *int
	}{{converged, &r.converged}, {lost, &r.lost}, {hung, &r.hung}} {
		if c.yes {
			*c.n++
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	tableMu.Lock()
	if len(table) > 0 {
		fmt.Println("\n| fault | runs | converged | lost data | hung |\n|---|---|---|---|---|")
		for _, name := range slices.Sorted(keys(table)) {
			r := table[name]
			fmt.Printf("| %s | %d | %d | %d | %d |\n", name, r.runs, r.converged, r.lost, r.hung)
		}
	}
	tableMu.Unlock()
	os.Exit(code)
}

func keys(m map[string]*row) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// berthBin is BERTH_BIN, or a berth built once for this test binary.
func berthBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BERTH_BIN"); p != "" {
		return p
	}
	binOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "berth-chaos-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "berth")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/berth")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// privateEngine starts Debian's dockerd (Engine 20.10, the one whose crash
// traces the suite checks) privately, with the busybox test image.
func privateEngine(t *testing.T, config map[string]any) *testengine.Engine {
	t.Helper()
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Fatal("the fault suite needs Debian's dockerd (docker.io) on the PATH")
	}
	if err := testimages.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Several engines start and restart at once here, and every dockerd
	// takes the machine's one xtables lock to set up its iptables rules: on
	// a busy machine a restart outlasted the default 90 s.
	return testengine.StartWith(context.Background(), t, testengine.Options{Dockerd: dockerd, Images: []string{testimages.Busybox}, Config: config,
		StartTimeout: 4 * time.Minute})
}

// stack is one compose project driven by berth, on the machine's engine
// or a private one (env points the client there).
type stack struct {
	t    *testing.T
	dir  string
	name string
	env  []string
}

// newStack writes compose.yaml and removes the project's objects by label
// when the test ends, whatever state it left.
func newStack(t *testing.T, yaml string, env []string) *stack {
	t.Helper()
	if env == nil {
		testimages.Require(t)
		env = os.Environ()
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s := &stack{t: t, dir: t.TempDir(), name: "berth-test-" + hex.EncodeToString(b),
		env: append(slices.Clone(env), "COMPOSE_PROJECT_NAME=", "COMPOSE_FILE=", "XDG_CONFIG_HOME="+t.TempDir())}
	s.write(yaml)
	t.Cleanup(s.cleanup)
	return s
}

func (s *stack) write(yaml string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// command is berth on the project with plain progress.
func (s *stack) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, berthBin(s.t), append([]string{"-p", s.name, "--progress", "plain"}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// berth runs berth to its end; hung says it outlived berthDeadline.
func (s *stack) berth(args ...string) (out string, err error, hung bool) {
	ctx, cancel := context.WithTimeout(context.Background(), berthDeadline)
	defer cancel()
	cmd := s.command(ctx, args...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err = cmd.Run()
	return b.String(), err, ctx.Err() != nil
}

// mustBerth is berth that fails the test unless it succeeds.
func (s *stack) mustBerth(args ...string) string {
	s.t.Helper()
	out, err, _ := s.berth(args...)
	if err != nil {
		s.t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// running is a berth run in the background whose output lines arrive on
// lines (closed at its end).
type running struct {
	cmd   *exec.Cmd
	lines chan string
	out   *syncBuffer
	done  chan error
}

func (s *stack) start(args ...string) *running {
	s.t.Helper()
	cmd := s.command(context.Background(), args...)
	pr, pw, err := os.Pipe()
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	r := &running{cmd: cmd, lines: make(chan string, 1024), out: &syncBuffer{}, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.out.WriteString(sc.Text() + "\n")
			select {
			case r.lines <- sc.Text():
			default:
			}
		}
		close(r.lines)
	}()
	go func() { r.done <- cmd.Wait() }()
	return r
}

// await waits for a line containing what; false when the run ended first.
func (r *running) await(what string) bool {
	for l := range r.lines {
		if strings.Contains(l, what) {
			return true
		}
	}
	return false
}

// wait waits up to within for the end; hung says it did not end, and the
// run is then killed.
func (r *running) wait(within time.Duration) (err error, hung bool) {
	select {
	case err := <-r.done:
		return err, false
	case <-time.After(within):
		_ = r.cmd.Process.Kill()
		return <-r.done, true
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// docker runs the docker CLI against the stack's engine.
func (s *stack) docker(args ...string) ([]string, error) {
	cmd := exec.Command("docker", args...)
	cmd.Env = s.env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(ee.Stderr))
		}
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

func (s *stack) label() string { return "label=com.docker.compose.project=" + s.name }

// cleanup removes the project's containers, networks and volumes by label.
func (s *stack) cleanup() {
	if ids, _ := s.docker("ps", "-aq", "--filter", s.label()); len(ids) > 0 {
		_, _ = s.docker(append([]string{"rm", "-f", "-v"}, ids...)...)
	}
	if ids, _ := s.docker("network", "ls", "-q", "--filter", s.label()); len(ids) > 0 {
		_, _ = s.docker(append([]string{"network", "rm"}, ids...)...)
	}
	if ids, _ := s.docker("volume", "ls", "-q", "--filter", s.label()); len(ids) > 0 {
		_, _ = s.docker(append([]string{"volume", "rm", "-f"}, ids...)...)
	}
}

// containers maps each of the project's containers to its state.
func (s *stack) containers() (map[string]string, error) {
	lines, err := s.docker("ps", "-a", "--filter", s.label(), "--format", "{{.Names}}={{.State}}")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, l := range lines {
		name, state, _ := strings.Cut(l, "=")
		out[name] = state
	}
	return out, nil
}

// converged says why the project is not exactly what up -d makes of it:
// replicas[svc] running containers named <project>-<svc>-<n> and nothing
// else, and nets networks.
func (s *stack) converged(replicas map[string]int, nets int) error {
	got, err := s.containers()
	if err != nil {
		return err
	}
	var problems []string
	want := map[string]bool{}
	for svc, n := range replicas {
		for i := 1; i <= n; i++ {
			name := fmt.Sprintf("%s-%s-%d", s.name, svc, i)
			want[name] = true
			if got[name] != "running" {
				problems = append(problems, fmt.Sprintf("%s is %q", name, got[name]))
			}
		}
	}
	for name := range got {
		if !want[name] {
			problems = append(problems, "extra container "+name)
		}
	}
	if ids, err := s.docker("network", "ls", "-q", "--filter", s.label()); err != nil || len(ids) != nets {
		problems = append(problems, fmt.Sprintf("%d networks (%v), want %d", len(ids), err, nets))
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// empty says why the project still has objects, volumes aside.
func (s *stack) empty() error {
	got, err := s.containers()
	if err != nil {
		return err
	}
	nets, err := s.docker("network", "ls", "-q", "--filter", s.label())
	if err != nil {
		return err
	}
	if len(got) > 0 || len(nets) > 0 {
		return fmt.Errorf("left: containers %v, networks %v", got, nets)
	}
	return nil
}

// writeMarker writes a marker into the project's named volume key.
func (s *stack) writeMarker(key, marker string) {
	s.t.Helper()
	if _, err := s.docker("run", "--rm", "-v", s.name+"_"+key+":/data", testimages.Busybox, "sh", "-c", "echo "+marker+" > /data/marker"); err != nil {
		s.t.Fatal(err)
	}
}

// hasMarker says whether the named volume still holds the marker.
func (s *stack) hasMarker(key, marker string) bool {
	out, err := s.docker("run", "--rm", "-v", s.name+"_"+key+":/data", testimages.Busybox, "cat", "/data/marker")
	return err == nil && strings.Join(out, " ") == marker
}
