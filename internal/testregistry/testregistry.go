package testregistry

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Registry is a running registry.
type Registry struct {
	// Addr is "127.0.0.1:<port>", the host part of image references.
	Addr string
	// User and Password are the one login it accepts ("" without auth).
	User, Password string
	cmd            *exec.Cmd
	data           string // the storage's root directory
}

// Options shape the registry.
type Options struct {
	// Auth turns on htpasswd authentication with a generated login.
	Auth bool
}

// Start starts a registry and stops it when the test ends. It fails the
// test when docker-registry is missing: registry tests must not pass by
// skipping.
func Start(t testing.TB, o Options) *Registry {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		t.Fatalf("docker-registry is not installed (internal/testregistry/install-packages.sh installs it): %v", err)
	}
	dir := t.TempDir()
	r := &Registry{data: filepath.Join(dir, "data")}
	if o.Auth {
		r.User, r.Password = "berth", "s3cret-"+filepath.Base(dir)
		if err := writeHtpasswd(filepath.Join(dir, "htpasswd"), r.User, r.Password); err != nil {
			t.Fatal(err)
		}
	}
	if r.Addr, err = freeAddr(); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(config(dir, r.Addr, o.Auth)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.start(bin, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.stop)
	return r
}

// freeAddr is a loopback address no one listens on right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func config(dir, addr string, auth bool) string {
	c := fmt.Sprintf(`version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: %s/data
  delete:
    enabled: true
http:
  addr: %s
`, dir, addr)
	if auth {
		c += fmt.Sprintf("auth:\n  htpasswd:\n    realm: berth-test\n    path: %s/htpasswd\n", dir)
	}
	return c
}

// writeHtpasswd writes a bcrypt entry with apache2-utils' htpasswd, the
// only hash the registry accepts.
func writeHtpasswd(path, user, password string) error {
	out, err := exec.Command("htpasswd", "-Bbn", user, password).Output()
	if err != nil {
		return fmt.Errorf("htpasswd (apache2-utils): %w", err)
	}
	return os.WriteFile(path, out, 0o600)
}

// start runs the registry and returns once its log says it listens.
func (r *Registry) start(bin, cfg string) error {
	r.cmd = exec.Command(bin, "serve", cfg)
	logs, err := r.cmd.StderrPipe()
	if err != nil {
		return err
	}
	r.cmd.Stdout = io.Discard
	if err := r.cmd.Start(); err != nil {
		return err
	}
	ready := make(chan struct{})
	go func() { // reads the log to its end so the registry never blocks on it
		sc := bufio.NewScanner(logs)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), "listening on") {
				close(ready)
				signalled = true
			}
		}
	}()
	select {
	case <-ready:
		return nil
	case <-time.After(30 * time.Second):
		r.stop()
		return fmt.Errorf("docker-registry did not start listening on %s within 30s", r.Addr)
	}
}

// stop ends the process; t.TempDir removes the storage.
func (r *Registry) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

// Tags lists the tags the registry holds for repository name (nil when it
// holds none).
func (r *Registry) Tags(ctx context.Context, name string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.Addr+"/v2/"+name+"/tags/list", nil)
	if err != nil {
		return nil, err
	}
	if r.User != "" {
		req.SetBasicAuth(r.User, r.Password)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v2/%s/tags/list: %s", name, res.Status)
	}
	var body struct{ Tags []string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	return body.Tags, nil
}

// Manifests lists the digests of every manifest repository name holds,
// tagged or not, from the registry's storage: the API lists tags only, and
// a manifest pushed by digest (an index of a publish --app) has none.
func (r *Registry) Manifests(name string) ([]string, error) {
	dir := filepath.Join(r.data, "docker", "registry", "v2", "repositories", name, "_manifests", "revisions", "sha256")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		out = append(out, "sha256:"+e.Name())
	}
	return out, nil
}
