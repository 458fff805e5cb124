package reconciler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"berth/engine"
)

// hookTailLines bounds how much of a failing hook's output its error quotes.
const hookTailLines = 10

// execHooks runs act's hooks in its container, one after the other; the
// first that fails ends the action with Docker Compose's words
// ("web hook exited with status 127") and the end of what it printed.
func (a *applier) execHooks(ctx context.Context, act Action) error {
	x := a.eng.Exec()
	if x == nil {
		return failure(act, string(act.Op), errors.New("the engine cannot run processes in containers"))
	}
	for _, h := range act.Hooks {
		spec := engine.ExecSpec{Cmd: h.Command, User: h.User, WorkingDir: h.WorkingDir, Env: h.Env, Privileged: h.Privileged}
		code, tail, err := a.execHook(ctx, x, act, spec)
		if err != nil {
			return failure(act, string(act.Op)+" hook in", err)
		}
		if code != 0 {
			return hookFailed(act, fmt.Sprintf("%s hook exited with status %d", act.Service, code), tail)
		}
	}
	return nil
}

func (a *applier) execHook(ctx context.Context, x engine.Exec, act Action, spec engine.ExecSpec) (int, string, error) {
	id, err := x.ExecCreate(ctx, act.Target, spec)
	if err != nil {
		return 0, "", err
	}
	conn, err := x.ExecStart(ctx, id, spec)
	if err != nil {
		return 0, "", err
	}
	if conn.Close != nil {
		defer conn.Close()
	}
	tail := a.follow(act, conn.Stream)
	_, code, err := x.ExecInspect(ctx, id)
	return code, tail, err
}

// hookFailed is a hook's failure: berth's service and container, Compose's
// words, and the last lines the hook printed (stderr when it wrote any).
func hookFailed(act Action, words, tail string) error {
	if tail != "" {
		words += ": " + tail
	}
	return fmt.Errorf("service %q: container %q: %s", act.Service, act.Target, words)
}

// follow relays a hook's output as progress lines until it ends and
// returns its tail: the last lines of stderr, or of stdout when stderr
// stayed empty.
func (a *applier) follow(act Action, s engine.Stream) string {
	var wg sync.WaitGroup
	tails := [2]*lineTail{{}, {}}
	for i, r := range []io.Reader{s.Stdout, s.Stderr} {
		if r == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64*1024), 1024*1024)
			for sc.Scan() {
				tails[i].add(sc.Text())
				a.progress.Event(ProgressEvent{Kind: "Container", Name: act.Target, Service: act.Service, Status: words[act.Op].working, Line: sc.Text()})
			}
			_, _ = io.Copy(io.Discard, r) // a line longer than the buffer
		}()
	}
	wg.Wait()
	if t := tails[1].String(); t != "" {
		return t
	}
	return tails[0].String()
}

// lineTail keeps the last non-blank lines written to it.
type lineTail struct{ lines []string }

func (t *lineTail) add(line string) {
	if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) == "" {
		return
	}
	t.lines = append(t.lines, line)
	if len(t.lines) > hookTailLines {
		t.lines = t.lines[1:]
	}
}

func (t *lineTail) String() string { return strings.Join(t.lines, "\n") }

// preStart runs the pre_start hooks, each in a container of its own made
// from act.Container, in order; the first failure ends the action (Docker
// Compose's words: `service "web" pre_start[1] exited with code 17`). Each
// hook container is removed once it has ended, failed or not: its output
// is in the error.
func (a *applier) preStart(ctx context.Context, act Action) error {
	for i, h := range act.Hooks {
		spec := *act.Container
		spec.Command, spec.User, spec.WorkingDir, spec.Privileged = h.Command, h.User, h.WorkingDir, h.Privileged
		spec.Environment = append(append([]string(nil), spec.Environment...), h.Env...)
		if h.Image != "" {
			spec.Image = h.Image
		}
		code, tail, err := a.runHookContainer(ctx, act, spec)
		if err != nil {
			return failure(act, fmt.Sprintf("pre_start[%d] hook container", i), err)
		}
		if code != 0 {
			return hookFailed(act, fmt.Sprintf("service %q pre_start[%d] exited with code %d", act.Service, i, code), tail)
		}
	}
	return nil
}

// runHookContainer creates, starts and awaits one hook container and
// removes it; a container of the same name a crash left behind goes first.
func (a *applier) runHookContainer(ctx context.Context, act Action, spec engine.ContainerSpec) (int, string, error) {
	if err := ignore(a.eng.RemoveContainer(ctx, spec.Name, engine.RemoveOptions{Force: true, Volumes: true}), engine.ErrNotFound); err != nil {
		return 0, "", err
	}
	if _, err := a.eng.CreateContainer(ctx, spec); err != nil {
		return 0, "", err
	}
	defer func() {
		_ = a.eng.RemoveContainer(context.WithoutCancel(ctx), spec.Name, engine.RemoveOptions{Force: true, Volumes: true})
	}()
	codes, errs := a.eng.WaitContainer(ctx, spec.Name)
	out, err := a.eng.Attach(ctx, spec.Name)
	if err != nil {
		return 0, "", err
	}
	if out.Close != nil {
		defer out.Close()
	}
	if err := a.eng.StartContainer(ctx, spec.Name); err != nil {
		return 0, "", err
	}
	tail := a.follow(act, out)
	select {
	case code := <-codes:
		return code, tail, nil
	case err := <-errs:
		return 0, tail, err
	case <-ctx.Done():
		return 0, tail, ctx.Err()
	}
}
