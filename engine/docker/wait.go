package docker

import (
	"context"
	"errors"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// WaitContainer reports the exit code of the container's current run, or
// of its next one when it is not running yet. The engine registers the
// wait before this returns, so a container started afterwards can never
// exit unseen:
//   - running, paused or restarting: wait until it is not running;
//   - created or exited: wait for the next exit (the caller starts it next).
//
// When it reports an exit, the engine's container list shows it too.
func (e *Engine) WaitContainer(ctx context.Context, id string) (<-chan int, <-chan error) {
	codes, errs := make(chan int, 1), make(chan error, 1)
	res, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		errs <- wrap("container", id, err)
		return codes, errs
	}
	w := e.cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: waitCondition(res.Container.State)})
	go func() {
		select {
		case r := <-w.Result:
			if r.Error != nil && r.Error.Message != "" {
				errs <- wrap("container", id, errors.New(r.Error.Message))
				return
			}
			// The engine wakes waiters before it records the exit where
			// its container list reads; an inspect takes the container's
			// lock, which the exit handler holds until that record is
			// written. After it, a list shows the container exited (on
			// Engine 29 a list right after the wait often said "Up").
			// It may fail (an auto-removed container): the code stands.
			_, _ = e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
			codes <- int(r.StatusCode)
		case err := <-w.Error:
			errs <- wrap("container", id, err)
		}
	}()
	return codes, errs
}

// waitCondition picks the engine's wait condition for the current state.
func waitCondition(s *container.State) container.WaitCondition {
	if s != nil && (s.Running || s.Paused || s.Restarting) {
		return container.WaitConditionNotRunning
	}
	return container.WaitConditionNextExit
}
