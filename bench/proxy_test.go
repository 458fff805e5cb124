package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestProxyForwardsAndCounts puts the proxy in front of a stand-in engine on
// a unix socket and checks what reaches it and what is recorded.
func TestProxyForwardsAndCounts(t *testing.T) {
	dir := t.TempDir()
	upstream := filepath.Join(dir, "upstream.sock")
	ln, err := net.Listen("unix", upstream)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.URL.Path)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	p, err := StartProxy(dir, upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", filepath.Join(dir, "engine.sock"))
	}}}
	start := time.Now()
	for _, path := range []string{"/v1.41/containers/a/start", "/v1.41/containers/b/start"} {
		resp, err := c.Post("http://engine"+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "POST "+path {
			t.Errorf("upstream saw %q, want %q", body, "POST "+path)
		}
	}
	prof := Summarize(start, p.Take())
	if got := prof.Counts["POST /containers/{id}/start"]; got != 2 || prof.Writes != 2 {
		t.Errorf("counts %v writes %d", prof.Counts, prof.Writes)
	}
	if again := p.Take(); len(again) != 0 {
		t.Errorf("Take did not forget: %v", again)
	}
}
