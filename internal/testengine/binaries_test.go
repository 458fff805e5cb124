package testengine_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/internal/testengine"
)

// fakeGo writes a go command that records its arguments and environment
// and fails, so a test sees what Binaries would build without building.
func fakeGo(t *testing.T) (goCmd, record string) {
	t.Helper()
	dir := t.TempDir()
	record = filepath.Join(dir, "calls")
	goCmd = filepath.Join(dir, "go")
	script := "#!/bin/sh\necho \"$* GOBIN=$GOBIN CGO_ENABLED=$CGO_ENABLED GOFLAGS=$GOFLAGS\" >> " + record + "\nexit 3\n"
	if err := os.WriteFile(goCmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return goCmd, record
}

// TestBinariesBuildsWhatIsMissing: an empty cache makes Binaries run
// `go install` for the pinned dockerd, with GOBIN inside the cache, cgo on
// and the caller's GOFLAGS cleared, and report the failed build.
func TestBinariesBuildsWhatIsMissing(t *testing.T) {
	goCmd, record := fakeGo(t)
	root := t.TempDir()
	t.Setenv("GOFLAGS", "-mod=vendor")
	p := testengine.Provisioner{Root: root, Go: goCmd, Log: io.Discard}
	_, err := p.Binaries(context.Background())
	if err == nil {
		t.Fatal("Binaries succeeded with a go command that fails")
	}
	if !strings.Contains(err.Error(), "github.com/moby/moby/v2/cmd/dockerd@"+testengine.MobyVersion) {
		t.Errorf("error does not name the build: %v", err)
	}
	calls, _ := os.ReadFile(record)
	line := strings.TrimSpace(string(calls))
	want := "install github.com/moby/moby/v2/cmd/dockerd@" + testengine.MobyVersion + " GOBIN=" + filepath.Join(root, "moby-"+testengine.MobyVersion)
	if !strings.HasPrefix(line, want) {
		t.Errorf("go was called as %q, want prefix %q", line, want)
	}
	if !strings.Contains(line, "CGO_ENABLED=1 GOFLAGS=") || strings.Contains(line, "vendor") {
		t.Errorf("go was called with %q: want CGO_ENABLED=1 and GOFLAGS cleared", line)
	}
	// The failed build left nothing where the cache is looked up.
	if _, err := os.Stat(filepath.Join(root, "moby-"+testengine.MobyVersion, "dockerd")); err == nil {
		t.Error("a failed build left a dockerd in the cache")
	}
	if left, _ := filepath.Glob(filepath.Join(root, "*", ".build-*")); len(left) > 0 {
		t.Errorf("build directories left: %v", left)
	}
}

// TestBinariesRejectsOtherBuilds: a binary of another module or version
// where dockerd belongs does not count; Binaries builds instead.
func TestBinariesRejectsOtherBuilds(t *testing.T) {
	goCmd, record := fakeGo(t)
	root := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(root, "bin", "dockerd"), filepath.Join(root, "moby-"+testengine.MobyVersion, "dockerd")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(self, p); err != nil {
			t.Skip("cannot link the test binary:", err)
		}
	}
	_, err = testengine.Provisioner{Root: root, Go: goCmd, Log: io.Discard}.Binaries(context.Background())
	if err == nil {
		t.Fatal("Binaries accepted the test binary as dockerd")
	}
	if calls, _ := os.ReadFile(record); !strings.Contains(string(calls), "cmd/dockerd@") {
		t.Errorf("no build of dockerd was attempted: %q", calls)
	}
}

// TestBinariesAdoptsAndReuses: binaries of the pinned builds in the flat
// bin/ directory of earlier provisioning are linked into the versioned
// layout, and a second call builds nothing. It uses this machine's cached
// builds and skips without them.
func TestBinariesAdoptsAndReuses(t *testing.T) {
	// A build in progress elsewhere holds the cache's lock: do not wait
	// for it (make unit would hang for as long as the build takes).
	probe, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	real, err := testengine.Provisioner{Go: "false", Log: io.Discard}.Binaries(probe)
	if err != nil {
		t.Skip("no cached modern engine binaries on this machine:", err)
	}
	root := t.TempDir()
	for _, src := range []string{real.Dockerd, real.DockerProxy, real.Runc} {
		dst := filepath.Join(root, "bin", filepath.Base(src))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(src, dst); err != nil {
			t.Skip("cannot link the cached binaries into a temporary directory:", err)
		}
	}
	goCmd, record := fakeGo(t)
	p := testengine.Provisioner{Root: root, Go: goCmd, Log: io.Discard}
	for i := 0; i < 2; i++ {
		b, err := p.Binaries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(root, "moby-"+testengine.MobyVersion, "dockerd"); b.Dockerd != want {
			t.Errorf("dockerd at %s, want %s", b.Dockerd, want)
		}
		if want := filepath.Join(root, "runc-"+testengine.RuncVersion, "runc"); b.Runc != want {
			t.Errorf("runc at %s, want %s", b.Runc, want)
		}
	}
	if calls, _ := os.ReadFile(record); len(calls) > 0 {
		t.Errorf("go was called although the builds were there: %s", calls)
	}
}
