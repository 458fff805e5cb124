package reconciler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// Attached `up` (without -d) is `up` with three more things, all here:
//  1. the plan attaches to each container it starts before starting it
//     (OpAttach), so no first line and no quick exit is missed; the
//     subscription to the project's events is taken before that;
//  2. once the project is up, the supervisor follows the attached
//     containers until every one has exited for good, re-attaching after
//     the engine restarts one;
//  3. Ctrl-C (Interrupt) and --abort-on-container-exit stop the project
//     through the plan `stop` makes; Ctrl-C again kills it.
//
// cmd/berth renders what comes out (Output) and turns signals into
// Interrupt calls.

// AttachOptions are the choices of attached up.
type AttachOptions struct {
	Attach       []string // --attach: only these services' output
	NoAttach     []string // --no-attach
	Dependencies bool     // --attach-dependencies
	// AbortOnExit, AbortOnFailure and ExitCodeFrom are the supervisor's
	// (SuperviseOptions).
	AbortOnExit    bool
	AbortOnFailure bool
	ExitCodeFrom   string
	// UntilStopped: the run ends on Ctrl-C or an abort only, not when the
	// containers have exited (up --watch).
	UntilStopped bool
}

// Output is where attached up's output goes; cmd/berth renders it. Its
// Progress shows the stop and warnings.
type Output interface {
	Progress
	// Stream shows one container's output until s ends; it must not block.
	Stream(container, service string, s engine.Stream)
	// Decision reports what the supervisor decided (exits, restarts,
	// give-ups, aborts); the re-attaches are done already.
	Decision(d Decision)
}

// AttachedUp is one attached up.
type AttachedUp struct {
	eng      engine.Engine
	p        *types.Project
	uo       UpOptions
	out      Output
	ctx      context.Context // the run's: streams and events outlive the first Ctrl-C
	cancel   context.CancelFunc
	sv       *Supervisor
	stop     *projectStop
	services []string
}

// NewAttachedUp picks the services to attach to and subscribes to the
// project's events. Call Up next, then Supervise; Close at the end.
func NewAttachedUp(ctx context.Context, eng engine.Engine, p *types.Project, uo UpOptions, ao AttachOptions, out Output) (*AttachedUp, error) {
	services, err := AttachedServices(p, uo, ao)
	if err != nil {
		return nil, err
	}
	uo.Attach = services
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &AttachedUp{eng: eng, p: p, uo: uo, out: out, ctx: runCtx, cancel: cancel, services: services,
		sv: Watch(runCtx, eng, SuperviseOptions{Project: p.Name, Services: services,
			AbortOnExit: ao.AbortOnExit, AbortOnFailure: ao.AbortOnFailure, ExitCodeFrom: ao.ExitCodeFrom,
			UntilStopped: ao.UntilStopped}),
		stop: newProjectStop(runCtx, eng, p, uo.Services, uo.Timeout, out),
	}, nil
}

// Services are the services whose output is shown.
func (u *AttachedUp) Services() []string { return u.services }

// Up converges the project as Up does, with the attaches in the plan, and
// hands the attached containers to the supervisor.
func (u *AttachedUp) Up(ctx context.Context, ap ApplyOptions, progress Progress) (Plan, error) {
	u.stop.applyWith(ap)
	ap.streams = &streamSink{ctx: u.ctx, take: func(act Action, s engine.Stream) { u.out.Stream(act.Target, act.Service, s) }}
	plan, err := Up(ctx, u.eng, u.p, u.uo, ap, progress)
	if err != nil {
		return plan, err
	}
	return plan, u.follow(ctx, plan)
}

// follow hands the attached services' replicas to the supervisor.
func (u *AttachedUp) follow(ctx context.Context, plan Plan) error {
	started := map[string]bool{}
	for _, a := range plan.Actions {
		started[a.Target] = started[a.Target] || a.Op == OpStart
	}
	for _, svc := range u.services {
		for _, name := range plan.Replicas[svc] {
			c, err := u.eng.InspectContainer(ctx, name)
			if errors.Is(err, engine.ErrNotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("inspect container %q: %w", name, err)
			}
			u.sv.Follow(u.watched(c, started[name]))
		}
	}
	return nil
}

// watched describes c for the supervisor; the plan attached to it.
func (u *AttachedUp) watched(c engine.Container, started bool) Watched {
	w := WatchedFrom(c, true)
	w.StopSignal = u.p.Services[w.Service].StopSignal
	if started { // its start (and any exit) is among the events to come
		// A start by hand resets the engine's restart count; its restarts are events to come too.
		w.Running, w.ExitedAt, w.RestartCount = false, time.Time{}, 0
	}
	return w
}

// Supervise follows the attached containers until every one has exited for
// good and a stop that began is over; it returns the run's exit code.
func (u *AttachedUp) Supervise() (int, error) {
	code, err := u.sv.Supervise(u.ctx, u.handle)
	u.stop.wait()
	return code, err
}

// handle carries out one decision of the supervisor, then reports it.
func (u *AttachedUp) handle(d Decision) {
	if d.Kind == Attach {
		u.reattach(d)
	}
	u.out.Decision(d)
	if d.Kind == Abort {
		u.stop.begin()
	}
}

// reattach streams a container's new run (after a restart) from its start.
func (u *AttachedUp) reattach(d Decision) {
	o := engine.LogOptions{Follow: true, Tail: "all"}
	if !d.Since.IsZero() {
		o.Since = fmt.Sprintf("%d.%09d", d.Since.Unix(), d.Since.Nanosecond())
	}
	s, err := u.eng.Logs(u.ctx, d.ContainerID, o)
	if err != nil {
		warn(u.out, []string{fmt.Sprintf("%s: follow output: %v", d.Name, err)})
		return
	}
	u.out.Stream(d.Name, d.Service, s)
}

// Interrupt is one Ctrl-C (or SIGTERM): the first stops the project
// gracefully, respecting each container's grace period; the next one, or
// the first after an abort began the stop, kills what still runs. It
// reports whether it began the graceful stop. Safe from any goroutine.
func (u *AttachedUp) Interrupt() (graceful bool) {
	u.sv.Stop() // containers that die from now on stay down
	if u.stop.begin() {
		return true
	}
	u.stop.kill()
	return false
}

// Close ends the streams and the subscription.
func (u *AttachedUp) Close() { u.cancel() }

// AttachedServices are the services whose output attached up shows:
// --attach, else the services named (all of them with --attach-dependencies
// or when none is named) less those with `attach: false`; then less
// --no-attach, plus --exit-code-from. Sorted.
func AttachedServices(p *types.Project, uo UpOptions, o AttachOptions) ([]string, error) {
	for _, s := range slices.Concat(o.Attach, o.NoAttach, []string{o.ExitCodeFrom}) {
		if _, ok := p.Services[s]; s != "" && !ok {
			return nil, fmt.Errorf("no such service: %s", s)
		}
	}
	if len(o.Attach) > 0 && o.Dependencies {
		return nil, errors.New("--attach and --attach-dependencies are incompatible")
	}
	out := slices.Clone(o.Attach)
	if len(out) == 0 {
		base := uo.Services
		if len(base) == 0 || o.Dependencies {
			sel, err := selection(p, uo)
			if err != nil {
				return nil, err
			}
			base = slices.Sorted(maps.Keys(sel))
		}
		for _, s := range base {
			if a := p.Services[s].Attach; a == nil || *a {
				out = append(out, s)
			}
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return slices.Contains(o.NoAttach, s) })
	if o.ExitCodeFrom != "" {
		out = append(out, o.ExitCodeFrom)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
