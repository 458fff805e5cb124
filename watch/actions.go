package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"berth/engine"
	"berth/reconciler"
)

// sync copies the action's files into every running replica: one tar per
// container, extracted at / (every entry is under the rule's target), then
// one `rm -rf` exec for the files deleted on the host. The engine's
// archive API cannot delete, and a tar cannot say "remove"; rm is in every
// image a sync rule makes sense for (the same assumption Docker Compose
// makes). It reports whether the action may go on (a restart or exec
// after it).
func (s *Session) sync(ctx context.Context, a Action) bool {
	r := a.Rule
	start := time.Now()
	pl, err := readPayload(r, a.Files)
	for _, ref := range pl.refused {
		s.report(Report{Service: r.Service, Rule: r, File: ref.file, Err: ref.err})
	}
	if err != nil {
		s.report(Report{Service: r.Service, Rule: r, Err: err})
		return false
	}
	if pl.tar == nil && len(pl.deletes) == 0 {
		return false
	}
	containers, err := s.running(ctx, r.Service)
	if err != nil {
		s.report(Report{Service: r.Service, Rule: r, Err: err})
		return false
	}
	if len(containers) == 0 {
		s.report(Report{Service: r.Service, Rule: r, Note: "no running container: nothing synced"})
		return false
	}
	ok, reached := true, 0
	for _, c := range containers {
		sent, gone := s.syncTo(ctx, r, c, pl)
		ok = ok && (sent || gone)
		if sent {
			reached++
		}
	}
	if ctx.Err() != nil || reached == 0 {
		return false // stopped mid-sync (Ctrl-C is not a failure to report), or no container left
	}
	if pl.tar != nil {
		s.report(Report{Service: r.Service, Rule: r, Verb: "synced", Count: pl.copied, Target: r.Target, Elapsed: time.Since(start)})
	}
	if len(pl.deletes) > 0 {
		s.report(Report{Service: r.Service, Rule: r, Verb: "deleted", Count: len(pl.deletes), Target: r.Target, Elapsed: time.Since(start)})
	}
	return ok
}

// syncTo sends the payload to one container. A container that the engine
// is restarting at that moment gets one more try; one that is gone is
// skipped with a note.
func (s *Session) syncTo(ctx context.Context, r Rule, c engine.Container, pl payload) (sent, gone bool) {
	err := s.send(ctx, c.ID, pl)
	if err != nil && ctx.Err() == nil {
		now, ierr := s.Engine.InspectContainer(ctx, c.ID)
		switch {
		case errors.Is(ierr, engine.ErrNotFound):
			s.replicas.Forget(r.Service)
			s.report(Report{Service: r.Service, Rule: r, Note: fmt.Sprintf("container %s is gone, skipped", c.Name)})
			return false, true
		case ierr == nil && now.State != engine.StateRunning:
			if werr := s.awaitRunning(ctx, c.ID); werr == nil {
				err = s.send(ctx, c.ID, pl)
			}
		default:
			err = s.send(ctx, c.ID, pl)
		}
	}
	if err != nil && ctx.Err() == nil {
		s.report(Report{Service: r.Service, Rule: r, Err: fmt.Errorf("container %s: %w", c.Name, err)})
	}
	return err == nil, false
}

// send copies the tar and runs the deletes in one container.
func (s *Session) send(ctx context.Context, id string, pl payload) error {
	if pl.tar != nil {
		err := s.Engine.CopyTo(ctx, id, "/", bytes.NewReader(pl.tar), false)
		if err != nil && pl.lean != nil && strings.Contains(err.Error(), "cannot overwrite non-directory") {
			err = s.Engine.CopyTo(ctx, id, "/", bytes.NewReader(pl.lean), false)
		}
		if err != nil {
			return err
		}
	}
	if len(pl.deletes) > 0 {
		out, code, err := s.run(ctx, id, engine.ExecSpec{Cmd: append([]string{"rm", "-rf", "--"}, pl.deletes...)})
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if code != 0 {
			return fmt.Errorf("delete: rm exited %d: %s", code, lastLine(out))
		}
	}
	return nil
}

// awaitRunning waits, on the engine's events, for a container the engine
// restarts to run again (10 s at most).
func (s *Session) awaitRunning(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	events, errs := s.Engine.Events(ctx, engine.EventFilter{Project: s.Project.Name})
	if c, err := s.Engine.InspectContainer(ctx, id); err != nil || c.State == engine.StateRunning {
		return err
	}
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return ctx.Err()
			}
			if e.ContainerID == id && e.Action == engine.EventStart {
				return nil
			}
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run runs a process in a container to its end: its output and exit code.
func (s *Session) run(ctx context.Context, id string, spec engine.ExecSpec) (string, int, error) {
	ex := s.Engine.Exec()
	if ex == nil {
		return "", 0, errors.New("the engine cannot run processes in containers")
	}
	eid, err := ex.ExecCreate(ctx, id, spec)
	if err != nil {
		return "", 0, err
	}
	conn, err := ex.ExecStart(ctx, eid, spec)
	if err != nil {
		return "", 0, err
	}
	var out lockedBuffer
	var wg sync.WaitGroup
	for _, r := range []io.Reader{conn.Stdout, conn.Stderr} {
		if r != nil {
			wg.Go(func() { io.Copy(&out, r) })
		}
	}
	wg.Wait()
	if conn.Close != nil {
		conn.Close()
	}
	_, code, err := ex.ExecInspect(context.WithoutCancel(ctx), eid)
	return out.String(), code, err
}

// restart restarts the service's containers through the restart plan.
func (s *Session) restart(ctx context.Context, r Rule) {
	start := time.Now()
	defer s.replicas.Forget(r.Service)
	plan, err := reconciler.LifecyclePlan(ctx, s.Engine, s.Project, "restart", reconciler.LifecycleOptions{Services: []string{r.Service}, NoDeps: true})
	if err == nil {
		err = reconciler.Apply(ctx, s.Engine, plan, s.Progress, s.Apply)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.report(Report{Service: r.Service, Rule: r, Err: fmt.Errorf("restart: %w", err)})
		}
		return
	}
	s.report(Report{Service: r.Service, Rule: r, Verb: "restarted", Elapsed: time.Since(start)})
}

// exec runs the rule's exec command in every running replica; a failure
// is reported and the watch goes on.
func (s *Session) exec(ctx context.Context, r Rule) {
	containers, err := s.running(ctx, r.Service)
	if err != nil {
		s.report(Report{Service: r.Service, Rule: r, Err: err})
		return
	}
	spec := engine.ExecSpec{Cmd: r.Exec.Command, User: r.Exec.User, Privileged: r.Exec.Privileged, WorkingDir: r.Exec.WorkingDir}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Exec.Environment {
			if !yield(k) {
				return
			}
		}
	}) {
		if v := r.Exec.Environment[k]; v != nil {
			spec.Env = append(spec.Env, k+"="+*v)
		}
	}
	for _, c := range containers {
		start := time.Now()
		out, code, err := s.run(ctx, c.ID, spec)
		if err == nil && code != 0 {
			err = fmt.Errorf("exec %q exited %d: %s", strings.Join(r.Exec.Command, " "), code, lastLine(out))
		}
		if err != nil {
			if ctx.Err() == nil {
				s.report(Report{Service: r.Service, Rule: r, Err: fmt.Errorf("container %s: %w", c.Name, err)})
			}
			continue
		}
		s.report(Report{Service: r.Service, Rule: r, Verb: "executed", Target: strings.Join(r.Exec.Command, " "), Elapsed: time.Since(start)})
	}
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// lockedBuffer collects an exec's stdout and stderr from two goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// rebuild builds the service's image and recreates its containers through
// up's plan (which says "image changed"). With Prune, the image the
// service ran before is removed once nothing uses it.
func (s *Session) rebuild(ctx context.Context, r Rule) {
	start := time.Now()
	defer s.replicas.Forget(r.Service)
	old := s.imageIDs(ctx, r.Service)
	uo := s.Up
	uo.Services, uo.NoDeps, uo.Build, uo.Attach = []string{r.Service}, true, true, nil
	if _, err := reconciler.Up(ctx, s.Engine, s.Project, uo, s.Apply, s.Progress); err != nil {
		if ctx.Err() != nil {
			return
		}
		s.report(Report{Service: r.Service, Rule: r, Err: fmt.Errorf("rebuild: %w", err)})
		return
	}
	s.report(Report{Service: r.Service, Rule: r, Verb: "rebuilt", Elapsed: time.Since(start)})
	if s.Prune {
		now := s.imageIDs(ctx, r.Service)
		for _, id := range old {
			if !slices.Contains(now, id) {
				// An image still tagged or used elsewhere stays: the engine refuses.
				_ = s.Engine.RemoveImage(ctx, id, false)
			}
		}
	}
}

// imageIDs are the images the service's containers run.
func (s *Session) imageIDs(ctx context.Context, service string) []string {
	cs, err := s.Engine.ListContainers(ctx, engine.ContainerFilter{Project: s.Project.Name, Services: []string{service}})
	if err != nil {
		return nil
	}
	var ids []string
	for _, c := range cs {
		if c.ImageID != "" && !slices.Contains(ids, c.ImageID) {
			ids = append(ids, c.ImageID)
		}
	}
	return ids
}
