package reconciler

import (
	"context"
	"errors"

	"berth/engine"
)

// streamSink is where the streams of attach actions go. They outlive the
// Apply that opened them: they last as long as ctx, the attached run's.
type streamSink struct {
	ctx  context.Context
	take func(act Action, s engine.Stream)
}

// attach opens the container's output stream and hands it over.
func (a *applier) attach(_ context.Context, act Action) error {
	if a.streams == nil {
		return failure(act, "attach to container", errors.New("no attached run takes the output"))
	}
	s, err := a.eng.Attach(a.streams.ctx, act.Target)
	if err != nil {
		return failure(act, "attach to container", err)
	}
	a.streams.take(act, s)
	return nil
}
