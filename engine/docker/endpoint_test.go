package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeContext puts a context into the store under dir the way the docker
// CLI lays it out.
func writeContext(t *testing.T, dir, name, host string) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolveEndpoint(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, ".docker")
	writeContext(t, cfg, "remote", "tcp://10.0.0.5:2375")
	writeContext(t, cfg, "other", "unix:///run/other.sock")
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":"remote"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	altCfg := t.TempDir()
	writeContext(t, altCfg, "alt", "unix:///run/alt.sock")
	if err := os.WriteFile(filepath.Join(altCfg, "config.json"), []byte(`{"currentContext":"alt"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      []string
		host     string
		from     string
		errMatch string
	}{
		{"DOCKER_HOST first", []string{"HOME=" + home, "DOCKER_HOST=tcp://1.2.3.4:2375", "DOCKER_CONTEXT=other"}, "tcp://1.2.3.4:2375", "DOCKER_HOST", ""},
		{"DOCKER_CONTEXT over config", []string{"HOME=" + home, "DOCKER_CONTEXT=other"}, "unix:///run/other.sock", `context "other"`, ""},
		{"currentContext in config.json", []string{"HOME=" + home}, "tcp://10.0.0.5:2375", `context "remote"`, ""},
		{"DOCKER_CONFIG moves the directory", []string{"HOME=" + home, "DOCKER_CONFIG=" + altCfg}, "unix:///run/alt.sock", `context "alt"`, ""},
		{"default context", []string{"HOME=" + home, "DOCKER_CONTEXT=default"}, DefaultHost, "default", ""},
		{"no config at all", []string{"HOME=" + t.TempDir()}, DefaultHost, "default", ""},
		{"last assignment wins", []string{"HOME=" + home, "DOCKER_HOST=tcp://a:1", "DOCKER_HOST="}, "tcp://10.0.0.5:2375", `context "remote"`, ""},
		{"missing context", []string{"HOME=" + home, "DOCKER_CONTEXT=nope"}, "", "", `docker context "nope": not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := ResolveEndpoint(tt.env)
			if tt.errMatch != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errMatch) {
					t.Fatalf("got %+v, %v; want an error with %q", ep, err, tt.errMatch)
				}
				return
			}
			if err != nil || ep.Host != tt.host || ep.From != tt.from {
				t.Errorf("got %+v, %v; want host %q from %q", ep, err, tt.host, tt.from)
			}
		})
	}
}

func TestResolveEndpointBadConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{not json`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ResolveEndpoint([]string{"DOCKER_CONFIG=" + dir})
	if err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("got %v, want an error naming config.json", err)
	}
}

// No engine at the endpoint: one line naming it and the way out. Needs no
// engine, so it runs under -short too.
func TestNewUnreachable(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	_, err := New(context.Background(), []string{"DOCKER_HOST=unix://" + sock})
	if err == nil {
		t.Fatal("New succeeded without an engine")
	}
	msg := err.Error()
	for _, want := range []string{"cannot reach the Docker Engine at unix://" + sock, "no such file or directory", "DOCKER_HOST", "DOCKER_CONTEXT"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
}

func TestNewRespectsCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(ctx, []string{"DOCKER_HOST=tcp://192.0.2.1:2375"}) // TEST-NET: never answers
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("got %v", err)
	}
}
