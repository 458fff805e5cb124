package imagebuild

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// scriptBuilder answers builds from a table keyed by the first tag: the
// lines it prints and the error it returns. It reads each context to the end
// as an engine would, and counts builds per image.
type scriptBuilder struct {
	mu      sync.Mutex
	built   map[string]int
	running int
	maxRun  int
	lines   map[string][]string
	fail    map[string]error
	release chan struct{}
}

func (b *scriptBuilder) BuildImage(ctx context.Context, req Request, out Output) (string, error) {
	b.mu.Lock()
	b.built[req.Tags[0]]++
	b.running++
	b.maxRun = max(b.maxRun, b.running)
	b.mu.Unlock()
	defer func() { b.mu.Lock(); b.running--; b.mu.Unlock() }()
	if _, err := io.Copy(io.Discard, req.Context); err != nil {
		return "", err
	}
	if b.release != nil {
		<-b.release
	}
	out(Message{Builder: BuilderClassic})
	for _, l := range b.lines[req.Tags[0]] {
		out(Message{Line: l})
	}
	if err := b.fail[req.Tags[0]]; err != nil {
		return "", err
	}
	return "sha256:" + req.Tags[0], nil
}

func testProject(t *testing.T, services map[string]string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x"})
	p := &types.Project{Name: "shop", WorkingDir: dir, Services: types.Services{}}
	for name, image := range services {
		s := service(name, &types.BuildConfig{Context: dir})
		s.Image = image
		p.Services[name] = s
	}
	return p
}

func TestImagesSharedBuildOnce(t *testing.T) {
	p := testProject(t, map[string]string{"web": "shop-app", "worker": "shop-app", "api": ""})
	db := types.ServiceConfig{Name: "db"}
	db.Image = "redis"
	p.Services["db"] = db
	b := &scriptBuilder{built: map[string]int{}}
	var mu sync.Mutex
	var events []string
	ids, err := Images(t.Context(), b, p, nil, Options{}, func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Status != "" {
			events = append(events, e.Service+" "+e.Status)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"shop-app": 1, "shop-api": 1}; len(b.built) != 2 || b.built["shop-app"] != 1 || b.built["shop-api"] != 1 {
		t.Errorf("builds = %v, want %v", b.built, want)
	}
	want := map[string]string{"web": "sha256:shop-app", "worker": "sha256:shop-app", "api": "sha256:shop-api"}
	if !equalMaps(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	slices.Sort(events)
	if w := []string{"api Building", "api Built", "web Building", "web Built"}; !slices.Equal(events, w) {
		t.Errorf("events = %v, want %v", events, w)
	}
}

func TestImagesSelectedServicesOnly(t *testing.T) {
	p := testProject(t, map[string]string{"web": "", "api": ""})
	b := &scriptBuilder{built: map[string]int{}}
	ids, err := Images(t.Context(), b, p, []string{"api"}, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids["api"] == "" || b.built["shop-web"] != 0 {
		t.Errorf("ids = %v, builds = %v", ids, b.built)
	}
}

func TestImagesParallelBound(t *testing.T) {
	p := testProject(t, map[string]string{"a": "", "b": "", "c": "", "d": ""})
	b := &scriptBuilder{built: map[string]int{}, release: make(chan struct{})}
	go func() {
		for range 4 {
			b.release <- struct{}{}
		}
	}()
	if _, err := Images(t.Context(), b, p, nil, Options{Parallel: 2}, nil); err != nil {
		t.Fatal(err)
	}
	if b.maxRun > 2 {
		t.Errorf("%d builds ran at once, want at most 2", b.maxRun)
	}
}

func TestImagesFailureNamesServiceAndStep(t *testing.T) {
	p := testProject(t, map[string]string{"web": ""})
	engineErr := errors.New("The command '/bin/sh -c exit 3' returned a non-zero code: 3")
	b := &scriptBuilder{
		built: map[string]int{},
		lines: map[string][]string{"shop-web": {"Step 1/2 : FROM x\n", " ---> 1234\n", "Step 2/2 : RUN exit 3\n", " ---> Running in abc\n"}},
		fail:  map[string]error{"shop-web": engineErr},
	}
	var lines []string
	var failed error
	_, err := Images(t.Context(), b, p, nil, Options{}, func(e Event) {
		if e.Line != "" {
			lines = append(lines, e.Line)
		}
		if e.Status == "Error" {
			failed = e.Err
		}
	})
	want := `service "web": build failed at Step 2/2 : RUN exit 3: The command '/bin/sh -c exit 3' returned a non-zero code: 3`
	if err == nil || err.Error() != want || !errors.Is(err, engineErr) {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if failed == nil || len(lines) != 5 || lines[0] != "building with the classic builder" || strings.HasSuffix(lines[1], "\n") {
		t.Errorf("events: error %v, lines %q", failed, lines)
	}
}

func TestImagesBadRequestNamesService(t *testing.T) {
	p := testProject(t, map[string]string{"web": ""})
	s := p.Services["web"]
	s.Build = &types.BuildConfig{Context: "https://example.com/repo.git"}
	p.Services["web"] = s
	_, err := Images(t.Context(), &scriptBuilder{built: map[string]int{}}, p, nil, Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), `service "web"`) {
		t.Fatalf("err = %v", err)
	}
}
