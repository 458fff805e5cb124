package watch

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// The faults a sync meets, on the in-memory engine (which the contract
// suite holds to the real engine's behaviour). beforeCopy runs in place of
// the first CopyTo, as the engine would see the fault at that moment.
type faultyEngine struct {
	engine.Engine
	beforeCopy func(id string) error
}

func (f *faultyEngine) CopyTo(ctx context.Context, id, dir string, r io.Reader, ids bool) error {
	if h := f.beforeCopy; h != nil {
		f.beforeCopy = nil
		return h(id)
	}
	return f.Engine.CopyTo(ctx, id, dir, r, ids)
}

// faultSession brings service app up on the fake and returns a session
// that syncs ./src to /app, and the reports it makes.
func faultSession(t *testing.T) (*Session, *fake.Engine, *faultyEngine, *[]Report) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "src", "a.js"), "A")
	p, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir: dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml"), Content: []byte(`
services:
  app:
    image: berth-test/busybox:latest
    command: [sleep, inf]
    develop:
      watch: [{path: ./src, action: sync, target: /app}]
`)}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("demo", true) })
	if err != nil {
		t.Fatal(err)
	}
	fk := fake.New("berth-test/busybox:latest")
	if _, err := reconciler.Up(t.Context(), fk, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	rules, err := Rules(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := &faultyEngine{Engine: fk}
	var mu sync.Mutex
	var reports []Report
	s := &Session{Engine: eng, Project: p, Rules: rules, Report: func(r Report) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, r)
	}}
	return s, fk, eng, &reports
}

func describe(reports []Report) string {
	var b strings.Builder
	for _, r := range reports {
		switch {
		case r.Err != nil:
			b.WriteString("error: " + r.Err.Error())
		case r.Note != "":
			b.WriteString("note: " + r.Note)
		default:
			b.WriteString(r.Verb)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestSyncRetriesAContainerTheEngineRestarts(t *testing.T) {
	s, fk, eng, reports := faultSession(t)
	eng.beforeCopy = func(id string) error {
		// The engine's restart policy is bringing it back at this moment.
		if err := fk.KillContainer(t.Context(), id, "SIGKILL"); err != nil {
			return err
		}
		go fk.StartContainer(context.WithoutCancel(t.Context()), id)
		return errors.New("container is restarting, wait until the container is running")
	}
	s.ApplyBatch(t.Context(), []string{filepath.Join(s.Rules[0].Path, "a.js")})
	if got := describe(*reports); got != "synced\n" {
		t.Fatalf("reports:\n%s", got)
	}
	rc, _, err := fk.CopyFrom(t.Context(), "demo-app-1", "/app/a.js")
	if err != nil {
		t.Fatalf("a.js not in the container after the retry: %v", err)
	}
	rc.Close()
}

func TestSyncSkipsAContainerThatIsGone(t *testing.T) {
	s, fk, eng, reports := faultSession(t)
	eng.beforeCopy = func(id string) error {
		if err := fk.RemoveContainer(t.Context(), id, engine.RemoveOptions{Force: true}); err != nil {
			return err
		}
		return engine.ErrNotFound
	}
	s.ApplyBatch(t.Context(), []string{filepath.Join(s.Rules[0].Path, "a.js")})
	if got := describe(*reports); got != "note: container demo-app-1 is gone, skipped\n" {
		t.Fatalf("reports:\n%s", got)
	}
	// The next batch finds no container, says so, and the watch goes on.
	*reports = nil
	s.ApplyBatch(t.Context(), []string{filepath.Join(s.Rules[0].Path, "a.js")})
	if got := describe(*reports); got != "note: no running container: nothing synced\n" {
		t.Fatalf("reports:\n%s", got)
	}
}
