package reconciler_test

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/engine/fake"
	"berth/project"
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

// RenameContainer moves what was written into a replacement under its
// temporary name to the name it is given.
func (e *archiveEngine) RenameContainer(ctx context.Context, id, newName string) error {
	c, err := e.InspectContainer(ctx, id)
	if err != nil {
		return err
	}
	if err := e.Engine.RenameContainer(ctx, id, newName); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, v := range e.files {
		if rest, ok := strings.CutPrefix(k, c.Name+":"); ok {
			delete(e.files, k)
			e.files[newName+":"+rest] = v
		}
	}
	if st, ok := e.state[c.Name]; ok {
		e.state[newName] = st
	}
	return nil
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

// testKey is an inject key, as cmd/berth would load it.
var testKey = []byte("0123456789abcdef0123456789abcdef")

func upWithKey(t *testing.T, eng engine.Engine, p *types.Project, key []byte) reconciler.Plan {
	t.Helper()
	plan, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{InjectKey: key}, reconciler.ApplyOptions{}, nil)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	return plan
}

func TestSecretsAndConfigsWrittenBeforeStart(t *testing.T) {
	eng := newArchiveEngine()
	p := load(t, injected)
	p.Environment["TOKEN"], p.Environment["KEY"] = "s3cret", "k3y"
	upWithKey(t, eng, p, testKey)
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
	upWithKey(t, eng, p, testKey)
	if n := eng.Calls("CreateContainer"); n != 0 {
		t.Errorf("warm up: %d creates", n)
	}
	p.Environment["TOKEN"] = "rotated"
	if plan := upWithKey(t, eng, p, testKey); !strings.Contains(plan.String(), "rename demo-web-1 from ") {
		t.Errorf("plan:\n%s", plan)
	}
	if got := eng.files["demo-web-1:/run/secrets/token"]; got != "4 rotated" {
		t.Errorf("token = %q", got)
	}
}

const pinProject = `
services:
  web: {image: busybox, command: [sleep, inf], secrets: [pin]}
secrets:
  pin: {environment: PIN}
`

// injectedLabel is the container's LabelInjected value.
func injectedLabel(t *testing.T, eng engine.Engine, name string) string {
	t.Helper()
	c, err := eng.InspectContainer(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return c.Labels[project.LabelInjected]
}

// TestInjectedLabelRevealsNoDigest: the label that detects a changed secret
// is keyed, so it can be checked against a guess only with the user's key.
// The same content gives different values under two keys, and neither is an
// unkeyed digest of the content (the old label was 32 bits of SHA-256: a
// 6-digit PIN fell to brute force in under a second).
func TestInjectedLabelRevealsNoDigest(t *testing.T) {
	const pin = "493817"
	labels := map[string]string{}
	for _, key := range []string{"key one, thirty-two bytes long..", "key two, thirty-two bytes long.."} {
		eng := fake.New("busybox")
		p := load(t, pinProject)
		p.Environment["PIN"] = pin
		upWithKey(t, eng, p, []byte(key))
		labels[key] = injectedLabel(t, eng, "demo-web-1")
	}
	a, b := labels["key one, thirty-two bytes long.."], labels["key two, thirty-two bytes long.."]
	if a == "" || a == b {
		t.Fatalf("labels under two keys: %q and %q, want two different values", a, b)
	}
	old := sha256.Sum256(fmt.Appendf(nil, "%s\x00%o\x00%d\x00%d\x00%s\x00", "/run/secrets/pin", 0o444, 0, 0, pin))
	plain := sha256.Sum256([]byte(pin))
	for _, l := range []string{a, b} {
		for _, leak := range []string{pin, hex.EncodeToString(old[:4]), hex.EncodeToString(plain[:4])} {
			if strings.Contains(l, leak) {
				t.Errorf("label %q contains %q", l, leak)
			}
		}
	}
}

// TestInjectKeyChangeRecreates: a container labelled under another key (the
// project brought up by another user or on another machine) cannot be
// compared, so it is recreated once, and then left alone.
func TestInjectKeyChangeRecreates(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, pinProject)
	p.Environment["PIN"] = "1234"
	upWithKey(t, eng, p, testKey)
	other := []byte("another user's key, 32 bytes....")
	if plan := upWithKey(t, eng, p, other); !strings.Contains(plan.String(), "rename demo-web-1 from ") {
		t.Errorf("plan under another key:\n%s", plan)
	}
	eng.ResetCalls()
	upWithKey(t, eng, p, other)
	if n := eng.Calls("CreateContainer"); n != 0 {
		t.Errorf("warm up under the new key: %d creates", n)
	}
}

// TestInjectWithoutKeyCreatesNothing: without a key there is nothing safe to
// label the secret with, so up refuses before creating anything rather than
// publish an unkeyed digest or recreate on every run.
func TestInjectWithoutKeyCreatesNothing(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, pinProject)
	p.Environment["PIN"] = "1234"
	err := up(t, eng, p, reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), `service "web": no key to label its secrets and configs`) {
		t.Fatalf("err = %v", err)
	}
	if n := eng.Calls("CreateContainer"); n != 0 {
		t.Errorf("%d creates", n)
	}
}
