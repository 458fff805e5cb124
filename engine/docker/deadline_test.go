package docker

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/engine"
)

// hungEngine serves a unix socket that accepts every connection. With
// pingOK it answers the ping (so New succeeds) and nothing else; without,
// it answers nothing at all. Requests wait until the test ends.
func hungEngine(t *testing.T, pingOK bool) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pingOK && strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Header().Set("Api-Version", "1.41")
			w.WriteHeader(http.StatusOK)
			return
		}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	return "unix://" + sock
}

func hungEnviron(host string) []string {
	return []string{"DOCKER_HOST=" + host, "BERTH_ENGINE_TIMEOUT=300ms", "HOME=/nonexistent"}
}

// TestHungEngineCallsEndNamingTheCall: an engine that answers the ping and
// then nothing makes each call fail after the deadline, naming the call,
// cleanup calls included (a context that is never cancelled).
func TestHungEngineCallsEndNamingTheCall(t *testing.T) {
	e, err := New(t.Context(), hungEnviron(hungEngine(t, true)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer e.Close()
	for _, tc := range []struct {
		call string
		do   func(ctx context.Context) error
		min  time.Duration
	}{
		{"GET /containers/json", func(ctx context.Context) error {
			_, err := e.ListContainers(ctx, engine.ContainerFilter{Project: "p"})
			return err
		}, 300 * time.Millisecond},
		{"DELETE /containers/x", func(ctx context.Context) error {
			return e.RemoveContainer(context.WithoutCancel(ctx), "x", engine.RemoveOptions{Force: true})
		}, 300 * time.Millisecond},
		{"POST /containers/x/stop", func(ctx context.Context) error {
			grace := time.Second // the engine answers a stop once the grace is over
			return e.StopContainer(ctx, "x", &grace)
		}, 1300 * time.Millisecond},
	} {
		start := time.Now()
		err := tc.do(t.Context())
		took := time.Since(start)
		var hung *HungError
		if !errors.As(err, &hung) || hung.Call != tc.call || !strings.Contains(err.Error(), "did not answer "+tc.call) {
			t.Errorf("%s: %v, want a HungError naming the call", tc.call, err)
		}
		if took < tc.min || took > tc.min+5*time.Second {
			t.Errorf("%s failed after %s, want about %s", tc.call, took, tc.min)
		}
	}
}

// TestSilentEngineFailsAtPing: an engine that accepts connections and
// never answers fails New at the ping, naming it.
func TestSilentEngineFailsAtPing(t *testing.T) {
	start := time.Now()
	_, err := New(t.Context(), hungEnviron(hungEngine(t, false)))
	if err == nil || !strings.Contains(err.Error(), "GET /_ping") {
		t.Fatalf("New on a silent engine: %v, want the ping named", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("New took %s", took)
	}
}

func TestAPIPath(t *testing.T) {
	for in, want := range map[string]string{"/v1.41/containers/json": "/containers/json", "/_ping": "/_ping", "/volumes/v1": "/volumes/v1", "/version": "/version"} {
		if got := apiPath(in); got != want {
			t.Errorf("apiPath(%q) = %q, want %q", in, got, want)
		}
	}
}
