package testengine

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// The pinned versions of the modern engine. A bump changes the cache
// directory, so the next run builds the new ones beside the old.
const (
	// MobyVersion is the moby module dockerd and docker-proxy come from
	// (API 1.56).
	MobyVersion = "v2.0.0-beta.24"
	// RuncVersion is the runc the modern engine runs containers with:
	// Debian's runc 1.1.5 cannot start them ("namespace time does not exist").
	RuncVersion = "v1.5.3"
)

// Bins are the modern engine's binaries.
type Bins struct {
	Dockerd     string
	DockerProxy string
	Runc        string
}

// component is one binary: where `go install` finds it and what its build
// information must say for a cached copy to count.
type component struct {
	name    string // the binary's file name
	pkg     string // the package go install builds
	module  string // the main module in its build information
	version string
	dir     string // the cache directory, keyed by version
	tags    string // build tags (-tags), also checked in the build information
}

func components() []component {
	moby := "moby-" + MobyVersion
	return []component{
		{name: "dockerd", pkg: "github.com/moby/moby/v2/cmd/dockerd", module: "github.com/moby/moby/v2", version: MobyVersion, dir: moby},
		{name: "docker-proxy", pkg: "github.com/moby/moby/v2/cmd/docker-proxy", module: "github.com/moby/moby/v2", version: MobyVersion, dir: moby},
		{name: "runc", pkg: "github.com/opencontainers/runc", module: "github.com/opencontainers/runc", version: RuncVersion, dir: "runc-" + RuncVersion, tags: "seccomp"},
	}
}

// Provisioner finds or builds the binaries under Root.
type Provisioner struct {
	// Root is the cache directory: CacheRoot() when empty.
	Root string
	// Go is the go command (default "go" on the PATH).
	Go string
	// Log receives the build's progress and output (default os.Stderr).
	Log io.Writer
}

// CacheRoot is $XDG_CACHE_HOME/berth-testengine, else
// ~/.cache/berth-testengine.
func CacheRoot() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("testengine: no cache directory: %w", err)
	}
	return filepath.Join(dir, "berth-testengine"), nil
}

// Binaries returns the pinned dockerd, docker-proxy and runc from the
// user's cache, building them with `go install` only when missing (about
// 25 minutes of CPU on a cold machine, once). See Provisioner.
func Binaries(ctx context.Context) (Bins, error) {
	return Provisioner{}.Binaries(ctx)
}

// Binaries returns the binaries, building the missing ones. Concurrent
// callers (test binaries of several packages) take a lock: one builds,
// the others wait and find them.
func (p Provisioner) Binaries(ctx context.Context) (Bins, error) {
	if p.Root == "" {
		root, err := CacheRoot()
		if err != nil {
			return Bins{}, err
		}
		p.Root = root
	}
	if p.Go == "" {
		p.Go = "go"
	}
	if p.Log == nil {
		p.Log = os.Stderr
	}
	if err := os.MkdirAll(p.Root, 0o755); err != nil {
		return Bins{}, fmt.Errorf("testengine: %w", err)
	}
	// Fast path, without the lock: everything there and of the right build.
	if b, ok := p.present(); ok {
		return b, nil
	}
	unlock, err := lockFile(ctx, filepath.Join(p.Root, ".lock"))
	if err != nil {
		return Bins{}, err
	}
	defer unlock()
	paths := map[string]string{}
	for _, c := range components() {
		path, err := p.ensure(ctx, c)
		if err != nil {
			return Bins{}, err
		}
		paths[c.name] = path
	}
	return Bins{Dockerd: paths["dockerd"], DockerProxy: paths["docker-proxy"], Runc: paths["runc"]}, nil
}

// present reports the binaries when all are cached and valid.
func (p Provisioner) present() (Bins, bool) {
	paths := map[string]string{}
	for _, c := range components() {
		path := p.path(c)
		if verify(path, c) != nil {
			return Bins{}, false
		}
		paths[c.name] = path
	}
	return Bins{Dockerd: paths["dockerd"], DockerProxy: paths["docker-proxy"], Runc: paths["runc"]}, true
}

func (p Provisioner) path(c component) string { return filepath.Join(p.Root, c.dir, c.name) }

// ensure returns c's binary: cached, adopted from the flat bin/ directory
// earlier provisioning used, or built.
func (p Provisioner) ensure(ctx context.Context, c component) (string, error) {
	path := p.path(c)
	if verify(path, c) == nil {
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("testengine: %w", err)
	}
	if legacy := filepath.Join(p.Root, "bin", c.name); verify(legacy, c) == nil {
		_ = os.Remove(path)
		if err := os.Link(legacy, path); err == nil {
			return path, nil
		}
	}
	if err := p.build(ctx, c); err != nil {
		return "", err
	}
	if err := verify(path, c); err != nil {
		return "", fmt.Errorf("testengine: built %s but: %w", c.name, err)
	}
	return path, nil
}

// build runs `go install c.pkg@c.version` into a temporary GOBIN inside the
// cache, niced, then renames the binary into place, so a half-built binary
// never sits where present looks.
func (p Provisioner) build(ctx context.Context, c component) error {
	tmp, err := os.MkdirTemp(filepath.Join(p.Root, c.dir), ".build-")
	if err != nil {
		return fmt.Errorf("testengine: %w", err)
	}
	defer os.RemoveAll(tmp)
	args := []string{"install"}
	if c.tags != "" {
		args = append(args, "-tags", c.tags)
	}
	args = append(args, c.pkg+"@"+c.version)
	name, argv := p.Go, args
	if nice, err := exec.LookPath("nice"); err == nil {
		name, argv = nice, append([]string{"-n", "19", p.Go}, args...)
	}
	fmt.Fprintf(p.Log, "testengine: building %s %s (go %s; once per machine, can take many minutes)\n", c.name, c.version, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, argv...)
	// GOFLAGS from the caller could add -mod or tags that change the build.
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=1", "GOFLAGS=")
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, p.Log)
	cmd.Stderr = io.MultiWriter(&out, p.Log)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("testengine: go %s: %w\n%s", strings.Join(args, " "), err, tail(out.Bytes(), 2000))
	}
	built := filepath.Join(tmp, c.name)
	if err := os.Rename(built, p.path(c)); err != nil {
		return fmt.Errorf("testengine: %w", err)
	}
	return nil
}

// verify checks that path is an executable built from c's module at c's
// version (and with its tags), from the Go build information in it.
func verify(path string, c component) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", path)
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if info.Main.Path != c.module || info.Main.Version != c.version {
		return fmt.Errorf("%s is %s@%s, want %s@%s", path, info.Main.Path, info.Main.Version, c.module, c.version)
	}
	if c.tags != "" {
		var tags string
		for _, s := range info.Settings {
			if s.Key == "-tags" {
				tags = s.Value
			}
		}
		if !contains(strings.Split(tags, ","), c.tags) {
			return fmt.Errorf("%s was built without -tags %s", path, c.tags)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// lockFile takes an exclusive flock on path; the returned func releases it.
// The wait ends with ctx.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testengine: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("testengine: lock %s: %w", path, err)
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		// Closing the file does not end the flock call; the goroutine ends
		// when the holder lets go, and the descriptor is closed with it.
		go func() { <-done; f.Close() }()
		return nil, fmt.Errorf("testengine: waiting for %s: %w", path, ctx.Err())
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

var errNotRoot = errors.New("testengine: a private engine needs root (network namespaces, mounts)")
