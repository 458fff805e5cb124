package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/pflag"

	"berth/engine"
	"berth/reconciler"
)

// Attached `up` (without -d) in three steps:
//  1. before converging, attachBeforeStart wraps the engine: it subscribes
//     to the project's events and attaches to every container just before
//     starting it, so no first line and no quick exit is missed; the output
//     is held back until step 2 decides which services to show;
//  2. once the project is up, the attached services are chosen (--attach,
//     --no-attach, --attach-dependencies, `attach: false`) and the held
//     lines are printed;
//  3. the supervisor follows the containers until every one has exited for
//     good (supervise, below), while Ctrl-C and --abort-on-container-exit
//     stop the project.

func init() { upAttached = newAttachedUp }

// attachOptions are the flags of attached up.
type attachOptions struct {
	abortOnExit, abortOnFailure   bool
	exitCodeFrom                  string
	attach, noAttach              []string
	attachDeps                    bool
	noColor, noPrefix, timestamps bool
	flags                         *pflag.FlagSet // up's own, for -t
}

func newAttachedUp(f *pflag.FlagSet) attachFunc {
	o := &attachOptions{flags: f}
	f.BoolVar(&o.abortOnExit, "abort-on-container-exit", false, "Stops all containers if any container was stopped. Incompatible with -d")
	f.BoolVar(&o.abortOnFailure, "abort-on-container-failure", false, "Stops all containers if any container exited with failure. Incompatible with -d")
	f.StringVar(&o.exitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container. Implies --abort-on-container-exit")
	f.StringArrayVar(&o.attach, "attach", nil, "Restrict attaching to the specified services. Incompatible with --attach-dependencies.")
	f.StringArrayVar(&o.noAttach, "no-attach", nil, "Do not attach (stream logs) to the specified services")
	f.BoolVar(&o.attachDeps, "attach-dependencies", false, "Automatically attach to log output of dependent services")
	f.BoolVar(&o.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.BoolVar(&o.timestamps, "timestamps", false, "Show timestamps")
	return o.run
}

// attachingEngine is the engine attached up converges with.
type attachingEngine struct {
	engine.Engine
	project   string
	requested []string // the services named on the command line
	follower  *follower
	sv        *reconciler.Supervisor
	cancel    context.CancelFunc // ends every stream and the subscription
	mu        sync.Mutex
	attached  map[string]bool // IDs of the containers attached before start
}

// attachBeforeStart prepares attached up; up.go converges with the engine
// it returns. Streams and events outlive the first Ctrl-C (which cancels
// ctx): output goes on while the project stops.
func (a *app) attachBeforeStart(ctx context.Context, eng engine.Engine, p *types.Project, services []string) engine.Engine {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	printer := newLogPrinter(a.stdout, false, true, false)
	printer.held = true
	return &attachingEngine{
		Engine:    eng,
		project:   p.Name,
		requested: services,
		follower:  &follower{ctx: runCtx, eng: eng, printer: printer, project: p.Name, logOpts: engine.LogOptions{Follow: true, Tail: "all"}},
		sv:        reconciler.Watch(runCtx, eng, reconciler.SuperviseOptions{Project: p.Name}),
		cancel:    cancel,
		attached:  map[string]bool{},
	}
}

// StartContainer attaches to the container, then starts it.
func (e *attachingEngine) StartContainer(ctx context.Context, id string) error {
	if c, err := e.Engine.InspectContainer(ctx, id); err == nil {
		if s, err := e.Engine.Attach(e.follower.ctx, c.ID); err == nil {
			e.mu.Lock()
			e.attached[c.ID] = true
			e.mu.Unlock()
			e.follower.stream(shortName(e.project, c.Name), serviceOf(c), s)
		}
	}
	return e.Engine.StartContainer(ctx, id)
}

// run is step 2 and 3: it follows the converged project in the foreground.
func (o *attachOptions) run(ctx context.Context, a *app, eng engine.Engine, p *types.Project, plan reconciler.Plan) error {
	ae, ok := eng.(*attachingEngine)
	if !ok {
		return errors.New("attached up: the engine was not prepared with attachBeforeStart")
	}
	defer ae.cancel()
	services, err := o.attachedServices(p, plan, ae.requested)
	if err != nil {
		return err
	}
	ae.sv.Configure(reconciler.SuperviseOptions{Project: p.Name, Services: services,
		AbortOnExit: o.abortOnExit, AbortOnFailure: o.abortOnFailure, ExitCodeFrom: o.exitCodeFrom})
	if err := ae.followReplicas(p, plan, services); err != nil {
		return err
	}
	// Our own handler counts presses; it is in place before the first line
	// is shown, so a Ctrl-C prompted by the output always reaches it.
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	early := signalledBefore(ctx, sigc)
	ae.follower.statuses = true
	ae.follower.printer.release(a.useColor(o.noColor), !o.noPrefix, o.timestamps,
		func(svc string) bool { return slices.Contains(services, svc) })
	return o.supervise(a, ae, p, sigc, early)
}

// signalledBefore reports whether a signal came before sigc was registered:
// main's context is cancelled by the first one. A signal that reached both
// is taken off sigc, so one press is never counted twice.
func signalledBefore(ctx context.Context, sigc chan os.Signal) bool {
	if ctx.Err() == nil {
		return false
	}
	select {
	case <-sigc:
	default:
	}
	return true
}

// followReplicas hands the attached services' containers to the supervisor;
// running ones that were not started just now are attached from now on.
func (e *attachingEngine) followReplicas(p *types.Project, plan reconciler.Plan, services []string) error {
	ctx := e.follower.ctx
	var names []string
	for _, svc := range services {
		for _, name := range plan.Replicas[svc] {
			names = append(names, shortName(p.Name, name))
		}
	}
	e.follower.printer.fit(names...)
	for _, svc := range services {
		for _, name := range plan.Replicas[svc] {
			c, err := e.Engine.InspectContainer(ctx, name)
			if errors.Is(err, engine.ErrNotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("inspect container %q: %w", name, err)
			}
			e.sv.Follow(e.watched(p, c))
		}
	}
	return nil
}

// watched describes c for the supervisor, attaching to it when it runs
// and berth did not start it.
func (e *attachingEngine) watched(p *types.Project, c engine.Container) reconciler.Watched {
	e.mu.Lock()
	started := e.attached[c.ID]
	e.mu.Unlock()
	w := reconciler.WatchedFrom(c, true)
	w.StopSignal = p.Services[w.Service].StopSignal
	if started { // its start (and any exit) is among the events to come
		// A start by hand resets the engine's restart count; its restarts are events to come too.
		w.Running, w.ExitedAt, w.RestartCount = false, time.Time{}, 0
		return w
	}
	if w.Running {
		if s, err := e.Engine.Attach(e.follower.ctx, c.ID); err == nil {
			e.follower.stream(shortName(p.Name, c.Name), w.Service, s)
		}
	}
	return w
}

// attachedServices are the services whose output up shows: --attach, else
// the services named (all of them with --attach-dependencies or when none is
// named) less those with `attach: false`; then less --no-attach, plus
// --exit-code-from.
func (o *attachOptions) attachedServices(p *types.Project, plan reconciler.Plan, requested []string) ([]string, error) {
	for _, s := range append(append(slices.Clone(o.attach), o.noAttach...), o.exitCodeFrom) {
		if _, ok := p.Services[s]; s != "" && !ok {
			return nil, fmt.Errorf("no such service: %s", s)
		}
	}
	if len(o.attach) > 0 && o.attachDeps {
		return nil, errors.New("--attach and --attach-dependencies are incompatible")
	}
	var out []string
	switch {
	case len(o.attach) > 0:
		out = slices.Clone(o.attach)
	default:
		base := requested
		if len(base) == 0 || o.attachDeps {
			base = slices.Sorted(maps.Keys(plan.Replicas))
		}
		for _, s := range base {
			if a := p.Services[s].Attach; a == nil || *a {
				out = append(out, s)
			}
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return slices.Contains(o.noAttach, s) })
	if o.exitCodeFrom != "" && !slices.Contains(out, o.exitCodeFrom) {
		out = append(out, o.exitCodeFrom)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// supervise runs the supervisor and answers signals: the first SIGINT (or
// SIGTERM) stops the project gracefully, the second kills it. main's
// context is cancelled by the first signal too, so everything here runs on
// the attachingEngine's own context; early says a first Ctrl-C came before
// sigc was registered. After Ctrl-C the exit code is 130.
func (o *attachOptions) supervise(a *app, ae *attachingEngine, p *types.Project, sigc <-chan os.Signal, early bool) error {
	done, aborts := ae.startSupervisor()
	st := newStopper(ae.follower.ctx, a, ae.Engine, p, o.grace())
	defer st.close()
	interrupted := early && ae.gracefulStop(st)
	res, pressed := ae.untilDone(sigc, done, aborts, st)
	interrupted = interrupted || pressed
	for !st.finished() { // every container has exited; the stop calls return
		select {
		case <-sigc:
			st.kill()
		case <-st.donec:
		}
	}
	ae.follower.waitFor(5 * time.Second) // the streams of stopped containers end at once
	return upResult(res.code, res.err, interrupted)
}

// superviseResult is how the supervisor ended.
type superviseResult struct {
	code int
	err  error
}

// startSupervisor runs the supervisor on its own goroutine; aborts asks
// for the project to be stopped (--abort-on-container-exit/-failure).
func (e *attachingEngine) startSupervisor() (<-chan superviseResult, <-chan struct{}) {
	done := make(chan superviseResult, 1)
	aborts := make(chan struct{}, 1)
	handle := func(d reconciler.Decision) {
		e.follower.handle(d)
		if d.Kind == reconciler.Abort {
			select {
			case aborts <- struct{}{}:
			default:
			}
		}
	}
	go func() {
		code, err := e.sv.Supervise(e.follower.ctx, handle)
		done <- superviseResult{code, err}
	}()
	return done, aborts
}

// untilDone answers signals and aborts until the supervisor ends.
func (e *attachingEngine) untilDone(sigc <-chan os.Signal, done <-chan superviseResult, aborts <-chan struct{}, st *stopper) (res superviseResult, interrupted bool) {
	for {
		select {
		case <-sigc:
			if st.begun() {
				st.kill()
				continue
			}
			interrupted = e.gracefulStop(st)
		case <-aborts:
			e.follower.printer.notice("Aborting on container exit...")
			st.stop()
		case res = <-done:
			return res, interrupted
		}
	}
}

// gracefulStop answers the first Ctrl-C: stop the project, respecting each
// container's grace period. It reports that up was interrupted.
func (e *attachingEngine) gracefulStop(st *stopper) bool {
	e.follower.printer.notice("Gracefully stopping... (press Ctrl+C again to force)")
	e.sv.Stop()
	st.stop()
	return true
}

// upResult maps the run's outcome to up's exit.
func upResult(code int, err error, interrupted bool) error {
	switch {
	case interrupted:
		return &exitError{code: 130}
	case err != nil:
		return err
	case code != 0:
		return &exitError{code: code}
	}
	return nil
}

// grace is -t, when given: the stop timeout of every container.
func (o *attachOptions) grace() *time.Duration {
	fl := o.flags.Lookup("timeout")
	if fl == nil || !fl.Changed {
		return nil
	}
	n, err := o.flags.GetInt("timeout")
	if err != nil {
		return nil
	}
	d := time.Duration(n) * time.Second
	return &d
}

// stopper stops the project once (Ctrl-C, abort) and kills it when asked
// again; one goroutine does both, so nothing is left half-handled.
type stopper struct {
	ctx        context.Context
	a          *app
	eng        engine.Engine
	p          *types.Project
	grace      *time.Duration
	stopCtx    context.Context
	cancelStop context.CancelFunc
	started    bool
	donec      chan struct{}
	r          renderer
}

func newStopper(ctx context.Context, a *app, eng engine.Engine, p *types.Project, grace *time.Duration) *stopper {
	stopCtx, cancel := context.WithCancel(ctx)
	return &stopper{ctx: ctx, a: a, eng: eng, p: p, grace: grace, stopCtx: stopCtx, cancelStop: cancel, donec: make(chan struct{})}
}

func (s *stopper) begun() bool { return s.started }

// finished says whether no stop is running.
func (s *stopper) finished() bool {
	if !s.started {
		return true
	}
	select {
	case <-s.donec:
		return true
	default:
		return false
	}
}

// stop begins stopping the project, dependents first.
func (s *stopper) stop() {
	if s.started {
		return
	}
	s.started = true
	s.r = s.a.progressRenderer()
	go func() {
		defer close(s.donec)
		_ = reconciler.StopRunning(s.stopCtx, s.eng, s.p, s.grace, s.r) // failures show as progress
		if s.stopCtx.Err() != nil && s.ctx.Err() == nil {               // Ctrl-C again
			_ = reconciler.KillRunning(s.ctx, s.eng, s.p.Name, s.r)
		}
	}()
}

// kill gives up waiting for the graceful stop and kills what still runs.
func (s *stopper) kill() { s.cancelStop() }

func (s *stopper) close() {
	s.cancelStop()
	if s.r != nil {
		s.r.Close()
	}
}
