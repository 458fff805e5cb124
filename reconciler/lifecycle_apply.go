package reconciler

import (
	"context"
	"fmt"
)

// doLifecycle performs the lifecycle commands' operations; Apply's do
// hands it every operation it does not know itself.
func (a *applier) doLifecycle(ctx context.Context, act Action) error {
	switch act.Op {
	case OpRestart:
		// Stop then start rather than the engine's restart: the same two
		// calls `stop` and `start` make, so the fake and the engine agree.
		if err := a.eng.StopContainer(ctx, act.Target, act.Grace); err != nil {
			return failure(act, "stop container", err)
		}
		return failure(act, "start container", a.eng.StartContainer(ctx, act.Target))
	case OpKill:
		return failure(act, "kill container", a.eng.KillContainer(ctx, act.Target, act.Signal))
	case OpPause:
		return failure(act, "pause container", a.eng.PauseContainer(ctx, act.Target))
	case OpUnpause:
		return failure(act, "unpause container", a.eng.UnpauseContainer(ctx, act.Target))
	}
	return fmt.Errorf("unknown action %q", act.Op)
}
