package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// TestNewRespectsCancel: an engine that accepts the connection and never
// answers holds New only until the caller cancels, not for pingTimeout.
// The cancel comes once the engine has the connection, so the ping is
// under way; without the context reaching it, New would return after 15 s
// with a deadline error, and the test fails on both counts.
func TestNewRespectsCancel(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "mute.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c // held open, never answered
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := New(ctx, []string{"DOCKER_HOST=unix://" + sock})
		done <- err
	}()
	var conn net.Conn
	select {
	case conn = <-accepted:
		defer conn.Close()
	case err := <-done:
		t.Fatalf("New returned before its ping reached the engine: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d >= pingTimeout {
			t.Errorf("New took %v, as long as its own ping timeout", d)
		}
	case <-time.After(pingTimeout / 2):
		t.Fatalf("New still waiting %v after the cancel", pingTimeout/2)
	}
}
