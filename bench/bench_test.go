package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/bench/raw"
	"berth/internal/testimages"

	"github.com/moby/moby/client"
)

func TestMain(m *testing.M) {
	sweepOnSignal()
	code := m.Run()
	sweepAll()
	if len(reports) > 0 {
		if missed := printReport(os.Stdout); missed && os.Getenv("BERTH_BENCH_STRICT") == "1" && code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// services is how many services each generated project has (BERTH_BENCH_N).
func services() int {
	if n, err := strconv.Atoi(os.Getenv("BERTH_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 50
}

// runID keeps the projects of concurrent runs apart.
var runID = strconv.FormatInt(time.Now().UnixNano()%1e6, 36)

// BenchmarkLifecycle times cold up, ps, warm up and down of each shape for
// every tool. Each b.Loop iteration is one round in which every tool runs the
// whole lifecycle once, in an order that rotates from round to round.
func BenchmarkLifecycle(b *testing.B) {
	for _, shape := range []Shape{Independent, Chain, Fan} {
		b.Run(fmt.Sprintf("%s-%d", shape, services()), func(b *testing.B) {
			benchShape(b, shape)
		})
	}
}

func benchShape(b *testing.B, shape Shape) {
	ctx := context.Background()
	rep := &report{shape: fmt.Sprintf("%s-%d", shape, services()), kind: shape,
		times: map[string]map[op][]time.Duration{}, rss: map[string][]int64{}, errs: map[string]error{}}
	addReport(rep)
	tools, cli := setup(b, shape, rep)
	for i := 0; b.Loop(); i++ {
		for j := range tools {
			t := tools[(i+j)%len(tools)]
			if rep.errs[t.name] != nil || i >= rounds(shape, t) {
				continue // a broken tool is reported once, not timed again
			}
			if err := lifecycle(ctx, cli, t, rep, rep.project); err != nil {
				rep.errs[t.name] = err
				if t.name != "docker-compose" {
					b.Error(err)
				}
			}
		}
	}
	b.StopTimer()
	profileBerth(b, ctx, cli, tools, rep)
	rep.metrics(b)
}

// rounds is how many rounds tool runs for shape. On a 2-core engine a round
// of 50 containers takes minutes, so what no target depends on (the fan, and
// docker-compose, shown for comparison) runs once unless BERTH_BENCH_FULL=1.
func rounds(shape Shape, t tool) int {
	if os.Getenv("BERTH_BENCH_FULL") == "1" || (shape != Fan && t.name != "docker-compose") {
		return math.MaxInt
	}
	return 1
}

// setup writes the project and its raw plan, and returns the tools to run.
func setup(b *testing.B, shape Shape, rep *report) ([]tool, *client.Client) {
	ctx := context.Background()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cli.Close() })
	testimages.Require(b)
	img, err := cli.ImageInspect(ctx, Image)
	if err != nil {
		b.Fatalf("image %q: %v", Image, err)
	}
	dir := b.TempDir()
	rep.project = "berthbench-" + runID + "-" + string(shape)
	remember(rep.project)
	b.Cleanup(func() {
		if _, err := sweep(context.Background(), cli, rep.project); err != nil {
			b.Error(err)
		}
	})
	if _, err := sweep(ctx, cli, rep.project); err != nil {
		b.Fatal(err)
	}
	path, err := WriteProject(dir, shape, services())
	if err != nil {
		b.Fatal(err)
	}
	p, err := Load(ctx, path, rep.project)
	if err != nil {
		b.Fatal(err)
	}
	plan, err := NewPlan(p, map[string]string{Image: img.ID})
	if err != nil {
		b.Fatal(err)
	}
	planPath := filepath.Join(dir, "plan.json")
	if err := raw.WritePlan(planPath, plan); err != nil {
		b.Fatal(err)
	}
	return chooseTools(b, dir, planPath, rep), cli
}

// chooseTools lists the tools to time: BERTH_BENCH_TOOLS (comma-separated)
// narrows them; docker-compose joins when it is installed.
func chooseTools(b *testing.B, dir, planPath string, rep *report) []tool {
	want := func(name string) bool {
		only := os.Getenv("BERTH_BENCH_TOOLS")
		return only == "" || strings.Contains(","+only+",", ","+name+",")
	}
	rawBin, err := buildRaw(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	tools := []tool{rawTool(rawBin, planPath, dir)}
	if want("berth") {
		if bin, err := berthBin(); err != nil {
			rep.errs["berth"] = err
			b.Error(err)
		} else {
			tools = append(tools, cliTool("berth", bin, rep.project, dir))
		}
	}
	// BERTH_BENCH_BEFORE names an earlier berth binary, timed in the same
	// rounds as "berth-before", so a change is measured before and after
	// under the same load.
	if bin := os.Getenv("BERTH_BENCH_BEFORE"); bin != "" && want("berth-before") {
		tools = append(tools, cliTool("berth-before", bin, rep.project, dir))
	}
	if bin, version := composeBin(); bin != "" && want("docker-compose") {
		rep.composeVersion = version
		tools = append(tools, cliTool("docker-compose", bin, rep.project, dir))
	}
	return tools
}

// lifecycle runs the four operations in order, then checks that `down` left
// nothing behind; whatever happens, the project is swept afterwards.
func lifecycle(ctx context.Context, cli *client.Client, t tool, rep *report, name string) error {
	for _, o := range ops {
		r, err := t.run(ctx, o)
		if err != nil {
			_, _ = sweep(ctx, cli, name)
			return err
		}
		rep.add(t.name, o, r)
	}
	left, err := sweep(ctx, cli, name)
	if err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("%s down left %d containers or networks of %q", t.name, left, name)
	}
	return nil
}

// profileBerth runs berth's lifecycle once more, untimed, through the
// counting proxy, and keeps the calls of each operation.
func profileBerth(b *testing.B, ctx context.Context, cli *client.Client, tools []tool, rep *report) {
	var berth *tool
	for i := range tools {
		if tools[i].name == "berth" && rep.errs["berth"] == nil {
			berth = &tools[i]
		}
	}
	if berth == nil {
		return
	}
	proxy, err := StartProxy(b.TempDir(), upstreamSocket())
	if err != nil {
		b.Error(err)
		return
	}
	defer proxy.Close()
	defer sweep(ctx, cli, rep.project)
	rep.profile, rep.rawProfile = map[op]Profile{}, map[op]Profile{}
	through := func(t tool, o op) (Profile, error) {
		start := time.Now()
		_, err := t.run(ctx, o, "DOCKER_HOST="+proxy.Host())
		return Summarize(start, proxy.Take()), err
	}
	for _, o := range ops {
		prof, err := through(*berth, o)
		if err != nil {
			b.Errorf("profiled run: %v", err)
			return
		}
		rep.profile[o] = prof
		if o == opUp { // the raw limit's read-only calls (tools[0] is raw), for comparison
			for _, ro := range []op{opPs, opWarm} {
				if rep.rawProfile[ro], err = through(tools[0], ro); err != nil {
					b.Errorf("profiled run: %v", err)
				}
			}
		}
	}
}

// upstreamSocket is the engine socket the proxy forwards to.
func upstreamSocket() string {
	if h, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		return h
	}
	return "/var/run/docker.sock"
}

var (
	reportsMu sync.Mutex
	reports   []*report
)

func addReport(r *report) {
	reportsMu.Lock()
	defer reportsMu.Unlock()
	reports = append(reports, r)
}
