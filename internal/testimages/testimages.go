package testimages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The images build-images.sh makes.
const (
	// Busybox is busybox-static with its applets; CMD sh.
	Busybox = "berth-test/busybox:latest"
	// Node is node and npm on busybox, npm set up to install offline; CMD node.
	Node = "berth-test/node:latest"
	// Redis is redis-server and redis-cli on busybox, listening on 6379 with
	// protected mode off and an append-only file in /data; WORKDIR /data.
	Redis = "berth-test/redis:latest"
)

// All lists the three images, for callers that check them all.
var All = []string{Busybox, Node, Redis}

// scriptName is the builder, next to this file in the source tree.
const scriptName = "build-images.sh"

var (
	once    sync.Once
	onceErr error
)

// Ensure builds the images that are missing or stale. It runs the script at
// most once per process: later calls return the first call's result, so a
// test binary pays for the check once however many tests ask.
func Ensure(ctx context.Context) error {
	once.Do(func() { onceErr = run(ctx) })
	return onceErr
}

// NeedEngine is the one rule for tests that need a Docker Engine. With
// BERTH_E2E=1 they must run: -short does not skip them, and an engine that
// does not answer fails them, so a run that asked for the engine cannot pass
// by skipping. Otherwise -short, or an engine that does not answer, skips.
func NeedEngine(t testing.TB) {
	t.Helper()
	required := os.Getenv("BERTH_E2E") == "1"
	if testing.Short() && !required {
		t.Skip("needs a Docker Engine: skipped under -short (BERTH_E2E=1 runs it)")
	}
	if out, err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").CombinedOutput(); err != nil {
		if required {
			t.Fatalf("BERTH_E2E=1 but no Docker Engine answers: %v\n%s", err, out)
		}
		t.Skipf("no Docker Engine answers: %v", err)
	}
}

// Require is Ensure for a test or benchmark: it stops t when the images
// cannot be built. Call it after NeedEngine.
func Require(t testing.TB) {
	t.Helper()
	if err := Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// run executes the script and keeps its output for the error, where it says
// which step failed and why.
func run(ctx context.Context) error {
	script, err := Script()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, script)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("testimages: %s: %w\n%s", script, err, out.Bytes())
	}
	return nil
}

// Script returns the path of build-images.sh. It is found from this source
// file's location, which holds for `go test` in the checkout; from the
// working directory upwards otherwise (a binary built with -trimpath).
func Script() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), scriptName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testimages: find %q: %w", scriptName, err)
	}
	for {
		p := filepath.Join(dir, "internal", "testimages", scriptName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testimages: " + scriptName + " not found from this source file or the working directory")
		}
		dir = parent
	}
}
