package reconciler_test

import (
	"archive/tar"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// archiveEngine is the fake, recording what is written into which
// container and in which state the container was then.
type archiveEngine struct {
	*fake.Engine
	mu    sync.Mutex
	files map[string]string // "container:/path" → "mode content"
	state map[string]engine.State
}

func newArchiveEngine() *archiveEngine {
	return &archiveEngine{Engine: fake.New("busybox"), files: map[string]string{}, state: map[string]engine.State{}}
}

func (e *archiveEngine) CopyTo(ctx context.Context, id, dir string, r io.Reader, _ bool) error {
	c, err := e.InspectContainer(ctx, id)
	if err != nil {
		return err
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(tr)
		e.mu.Lock()
		e.files[c.Name+":"+dir+hdr.Name] = string(rune('0'+hdr.Mode>>6&7)) + " " + string(b)
		e.state[c.Name] = c.State
		e.mu.Unlock()
	}
}

const injected = `
services:
  web:
    image: busybox
    command: [sleep, inf]
    secrets: [token, {source: key, target: api.key, mode: 0400}]
    configs: [{source: conf, target: /etc/app/app.conf}]
secrets:
  token: {environment: TOKEN}
  key: {environment: KEY}
configs:
  conf: {content: "port=80"}
`

func TestSecretsAndConfigsWrittenBeforeStart(t *testing.T) {
	eng := newArchiveEngine()
	p := load(t, injected)
	p.Environment["TOKEN"], p.Environment["KEY"] = "s3cret", "k3y"
	mustUp(t, eng, p)
	want := map[string]string{
		"demo-web-1:/run/secrets/token":   "4 s3cret",
		"demo-web-1:/run/secrets/api.key": "4 k3y",
		"demo-web-1:/etc/app/app.conf":    "4 port=80",
	}
	for k, v := range want {
		if eng.files[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, eng.files[k], v, eng.files)
		}
	}
	if st := eng.state["demo-web-1"]; st != engine.StateCreated {
		t.Errorf("written while the container was %s, want created", st)
	}
	// A warm up leaves it; a new value recreates it.
	eng.ResetCalls()
	mustUp(t, eng, p)
	if n := eng.Calls("CreateContainer"); n != 0 {
		t.Errorf("warm up: %d creates", n)
	}
	p.Environment["TOKEN"] = "rotated"
	plan, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "create demo-web-1 (config changed: secrets or configs content)") {
		t.Errorf("plan:\n%s", plan)
	}
	if got := eng.files["demo-web-1:/run/secrets/token"]; got != "4 rotated" {
		t.Errorf("token = %q", got)
	}
}
