package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// projectLock serializes the berth runs on this machine that change one
// project of one engine (reconciler.ApplyOptions.Exclusive): `up` and
// `down` hold it from their observation to their last change. Without it,
// three `up -d` and a `down` started together each observe before the
// others act, and Engine 20.10 accepts two creates of one network name, so
// the project could end half there. With it they run one after the other,
// and the project ends whole or gone.
//
// The lock is flock(2) on a file in the user's runtime directory, so a
// killed berth releases it with its last file descriptor; nothing needs
// clearing after a crash. The file holds the holder's pid, for the waiting
// run's message. Runs of other tools (Docker Compose) are not serialized;
// the reconciler still clears what such races leave (reconciler/stale.go).
type projectLock struct {
	dir  string // where the lock files live
	host string // the engine endpoint as the environment names it
	// waiting is told once when another run holds the lock.
	waiting func(line string)
}

// newProjectLock places the locks in $XDG_RUNTIME_DIR/berth/locks, else
// the temporary directory's berth-UID/locks, and keys them by the engine
// the environment points at: DOCKER_HOST, else DOCKER_CONTEXT.
func newProjectLock(environ []string, waiting func(string)) *projectLock {
	env := func(k string) string {
		for _, kv := range environ {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
	dir := filepath.Join(os.TempDir(), "berth-"+strconv.Itoa(os.Getuid()), "locks")
	if rt := env("XDG_RUNTIME_DIR"); rt != "" {
		dir = filepath.Join(rt, "berth", "locks")
	}
	host := env("DOCKER_HOST")
	if host == "" {
		host = "context:" + env("DOCKER_CONTEXT")
	}
	return &projectLock{dir: dir, host: host, waiting: waiting}
}

// path is the lock file of project: a digest of the engine and the name,
// so that any project name makes a valid file name.
func (l *projectLock) path(project string) string {
	sum := sha256.Sum256([]byte(l.host + "\x00" + project))
	return filepath.Join(l.dir, hex.EncodeToString(sum[:12])+".lock")
}

// Acquire takes the project's lock, waiting for the run that holds it (and
// saying so) until ctx ends. release gives it back.
func (l *projectLock) Acquire(ctx context.Context, project string) (release func(), err error) {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, fmt.Errorf("project lock: %w", err)
	}
	f, err := os.OpenFile(l.path(project), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("project lock: %w", err)
	}
	fd := int(f.Fd())
	err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	if err == unix.EWOULDBLOCK {
		err = l.wait(ctx, f, project)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	// The pid is only for the message of a run that waits.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { _ = f.Close() }, nil // closing the last descriptor unlocks
}

// wait blocks on the lock until it is free or ctx ends. A wait that ctx
// ended keeps blocking in its goroutine and gives the lock back as soon as
// it gets it; berth is about to exit by then anyway.
func (l *projectLock) wait(ctx context.Context, f *os.File, project string) error {
	if l.waiting != nil {
		holder := "another berth run"
		if b, err := os.ReadFile(f.Name()); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			holder += " (pid " + strings.TrimSpace(string(b)) + ")"
		}
		l.waiting(fmt.Sprintf("%s is changing project %s: waiting for it", holder, project))
	}
	dup, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return fmt.Errorf("project lock: %w", err)
	}
	got := make(chan error, 1)
	abandoned := make(chan struct{})
	go func() {
		err := flockRetrying(dup)
		select {
		case <-abandoned:
			_ = unix.Close(dup) // the lock, if taken, goes with the file's last descriptor
		default:
			got <- err
			_ = unix.Close(dup) // f still holds the open file, and with it the lock
		}
	}()
	select {
	case err := <-got:
		if err != nil {
			return fmt.Errorf("project lock: %w", err)
		}
		return nil
	case <-ctx.Done():
		close(abandoned)
		return ctx.Err()
	}
}

// flockRetrying takes the lock, blocking, through interrupted calls.
func flockRetrying(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}
