package e2e

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHungEngineExitsNamingTheCall: an engine that answers the ping and
// then never answers again makes up and down exit non-zero, each naming the
// call that hung, instead of waiting forever.
func TestHungEngineExitsNamingTheCall(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Header().Set("Api-Version", "1.41")
			return
		}
		select { // accept, then never answer
		case <-done:
		case <-r.Context().Done():
		}
	})}
	go srv.Serve(l)
	defer srv.Close()
	defer close(done)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services: {web: {image: berth-test/busybox:latest}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"up", "-d"}, {"down"}} {
		cmd := exec.Command(berthBin(t), append([]string{"-p", "berth-test-hung", "--progress", "plain"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock, "DOCKER_CONTEXT=", "BERTH_ENGINE_TIMEOUT=1s", "XDG_CONFIG_HOME="+t.TempDir())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		if err == nil || !strings.Contains(stderr.String(), "did not answer GET /") {
			t.Errorf("berth %s on a hung engine: %v\n%s\nwant a failure naming the call", strings.Join(args, " "), err, stderr.String())
		}
		if took > 10*time.Second {
			t.Errorf("berth %s took %s on a hung engine", strings.Join(args, " "), took)
		}
	}
}
