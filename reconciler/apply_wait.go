package reconciler

import (
	"context"
	"fmt"
	"sync"

	"berth/engine"
)

// exitWaits holds the exit watches armed before starts, for the
// service_completed_successfully waits that follow them.
type exitWaits struct {
	mu     sync.Mutex
	wanted map[string]bool
	armed  map[string]exitWatch
}

type exitWatch struct {
	code <-chan int
	err  <-chan error
}

func newExitWaits(plan Plan) *exitWaits {
	w := &exitWaits{wanted: map[string]bool{}, armed: map[string]exitWatch{}}
	for _, act := range plan.Actions {
		if act.Op == OpWaitExit {
			w.wanted[act.Target] = true
		}
	}
	return w
}

// arm starts watching container's exit when a wait needs it; called before
// the start so a quick exit is not missed.
func (w *exitWaits) arm(ctx context.Context, eng engine.Engine, container string) error {
	if !w.wanted[container] {
		return nil
	}
	code, errc := eng.WaitContainer(ctx, container)
	w.mu.Lock()
	w.armed[container] = exitWatch{code, errc}
	w.mu.Unlock()
	return nil
}

// watch returns the armed watch, or a new one for a container this plan
// does not start (it runs already, or has exited).
func (w *exitWaits) watch(ctx context.Context, eng engine.Engine, container string) exitWatch {
	w.mu.Lock()
	defer w.mu.Unlock()
	if x, ok := w.armed[container]; ok {
		return x
	}
	code, errc := eng.WaitContainer(ctx, container)
	return exitWatch{code, errc}
}

// waitExit waits for the container to exit and fails unless it exits 0,
// in Docker Compose's words.
func (a *applier) waitExit(ctx context.Context, act Action) error {
	ctx, cancel := withTimeout(ctx, act)
	defer cancel()
	x := a.exits.watch(ctx, a.eng, act.Target)
	select {
	case code := <-x.code:
		if code != 0 {
			return fmt.Errorf("service %q didn't complete successfully: exit %d", act.Service, code)
		}
		return nil
	case err := <-x.err:
		return failure(act, "wait container", err)
	case <-ctx.Done():
		return failure(act, "wait container", ctx.Err())
	}
}

func withTimeout(ctx context.Context, act Action) (context.Context, context.CancelFunc) {
	if act.Timeout > 0 {
		return context.WithTimeout(ctx, act.Timeout)
	}
	return context.WithCancel(ctx)
}
