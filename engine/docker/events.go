package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/project"
)

// eventBuffer lets the engine's stream run a little ahead of a slow reader.
const eventBuffer = 64

// Events streams the project's container events from now on, or from
// f.Since: the engine has subscribed before Events returns. Both channels
// close when the stream ends (at f.Until, when set); a failure (not the
// context ending) arrives on the error channel first.
func (e *Engine) Events(ctx context.Context, f engine.EventFilter) (<-chan engine.Event, <-chan error) {
	filters := make(client.Filters).Add("type", "container").Add("label", project.LabelProject+"="+f.Project)
	opts := client.EventsListOptions{Filters: filters, Since: unixTime(f.Since), Until: unixTime(f.Until)}
	res := e.cli.Events(ctx, opts)
	if !f.Until.IsZero() { // the engine ends the stream at Until: not a failure
		res.Err = endIsNotFailure(res.Err)
	}
	return relay(ctx, res, eventOf, "events of project", f.Project)
}

// unixTime is t as the engine's since and until parameters take it
// (seconds.nanoseconds), or "" for the zero time.
func unixTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// endIsNotFailure forwards errs, turning the stream's end (io.EOF) into nil.
func endIsNotFailure(errs <-chan error) <-chan error {
	out := make(chan error, 1)
	go func() {
		defer close(out)
		for err := range errs {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			out <- err
		}
	}()
	return out
}

// relay forwards the stream's messages that convert accepts until the
// stream or ctx ends. Both channels close then; a failure (not the context
// ending) arrives on the error channel first, wrapped with what and name.
func relay[T any](ctx context.Context, res client.EventsResult, convert func(events.Message) (T, bool), what, name string) (<-chan T, <-chan error) {
	out, errs := make(chan T, eventBuffer), make(chan error, 1)
	go func() {
		defer close(errs)
		defer close(out)
		for {
			select {
			case m := <-res.Messages:
				v, ok := convert(m)
				if !ok {
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			case err := <-res.Err:
				if err != nil && ctx.Err() == nil {
					errs <- wrap(what, name, err)
				}
				return
			}
		}
	}()
	return out, errs
}

// eventOf maps an engine event; ok is false for actions berth does not
// follow (exec, attach, resize, …).
func eventOf(m events.Message) (engine.Event, bool) {
	action, detail, _ := strings.Cut(string(m.Action), ": ")
	ev := engine.Event{
		Time:        time.Unix(0, m.TimeNano),
		Action:      engine.EventAction(action),
		ContainerID: m.Actor.ID,
		Name:        m.Actor.Attributes["name"],
		Service:     m.Actor.Attributes[project.LabelService],
		Labels:      labelsOf(m.Actor.Attributes),
	}
	if m.TimeNano == 0 {
		ev.Time = time.Unix(m.Time, 0)
	}
	switch ev.Action {
	case engine.EventHealth:
		ev.Health = engine.Health(strings.TrimSpace(detail))
	case engine.EventDie:
		ev.ExitCode, _ = strconv.Atoi(m.Actor.Attributes["exitCode"]) // absent: 0
	case engine.EventKill:
		ev.Signal = m.Actor.Attributes["signal"]
	case engine.EventCreate, engine.EventStart, engine.EventStop, engine.EventDestroy,
		engine.EventPause, engine.EventUnpause, engine.EventOOM, engine.EventRestart:
	default:
		return engine.Event{}, false
	}
	return ev, true
}

// eventAttributes are the attributes the engine adds next to a container's
// labels.
var eventAttributes = map[string]bool{"name": true, "image": true, "exitCode": true, "signal": true, "execDuration": true}

// labelsOf keeps the container's labels out of the event's attributes.
func labelsOf(attrs map[string]string) map[string]string {
	labels := map[string]string{}
	for k, v := range attrs {
		if !eventAttributes[k] {
			labels[k] = v
		}
	}
	return labels
}
