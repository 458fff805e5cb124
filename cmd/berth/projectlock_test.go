package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProjectLockSerializesOneProject(t *testing.T) {
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir(), "DOCKER_HOST=unix:///x.sock"}
	said := make(chan string, 1)
	lock := newProjectLock(env, func(line string) { said <- line })
	ctx := context.Background()
	release, err := lock.Acquire(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	// Another project, and the same name on another engine, are not held.
	other, err := lock.Acquire(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	other()
	elsewhere := newProjectLock([]string{env[0], "DOCKER_HOST=tcp://h:2375"}, nil)
	r2, err := elsewhere.Acquire(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	r2()

	got := make(chan func(), 1)
	go func() {
		r, err := lock.Acquire(ctx, "app")
		if err != nil {
			t.Error(err)
			r = func() {}
		}
		got <- r
	}()
	line := <-said // told before it blocks
	if want := "(pid " + strconv.Itoa(os.Getpid()) + ") is changing project app: waiting for it"; !strings.Contains(line, want) {
		t.Errorf("waiting line %q, want it to contain %q", line, want)
	}
	select {
	case <-got:
		t.Fatal("the second run took the lock the first holds")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	(<-got)()
}

func TestProjectLockWaitEndsWithContext(t *testing.T) {
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir()}
	lock := newProjectLock(env, nil)
	release, err := lock.Acquire(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		r, err := lock.Acquire(ctx, "app")
		if err == nil {
			r()
		}
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v, want context.Canceled", err)
	}
	release()
	// The abandoned wait gives the lock back once it gets it.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	r, err := lock.Acquire(ctx2, "app")
	if err != nil {
		t.Fatalf("the lock after an abandoned wait: %v", err)
	}
	r()
}
