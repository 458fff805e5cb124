package main

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/pflag"

	"berth/engine"
	"berth/reconciler"
	"berth/watch"
)

// Attached `up` (without -d) is reconciler.AttachedUp; this file renders
// its output and turns signals into interrupts. The first SIGINT (or
// SIGTERM) stops the project gracefully, the second kills it; after either
// the exit code is 130.

// attachOptions are the flags of attached up.
type attachOptions struct {
	reconciler.AttachOptions
	noColor, noPrefix, timestamps bool
}

func (o *attachOptions) register(f *pflag.FlagSet) {
	f.BoolVar(&o.AbortOnExit, "abort-on-container-exit", false, "Stops all containers if any container was stopped. Incompatible with -d")
	f.BoolVar(&o.AbortOnFailure, "abort-on-container-failure", false, "Stops all containers if any container exited with failure. Incompatible with -d")
	f.StringVar(&o.ExitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container. Implies --abort-on-container-exit")
	f.StringArrayVar(&o.Attach, "attach", nil, "Restrict attaching to the specified services. Incompatible with --attach-dependencies.")
	f.StringArrayVar(&o.NoAttach, "no-attach", nil, "Do not attach (stream logs) to the specified services")
	f.BoolVar(&o.Dependencies, "attach-dependencies", false, "Automatically attach to log output of dependent services")
	f.BoolVar(&o.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.BoolVar(&o.timestamps, "timestamps", false, "Show timestamps")
}

// attachedOutput renders attached up: container output through the log
// printer (held back until the project is up), the supervisor's reports as
// status lines, the stop as progress.
type attachedOutput struct {
	renderer
	f *follower
}

func (o attachedOutput) Stream(container, service string, s engine.Stream) {
	o.f.stream(shortName(o.f.project, container), service, s)
}

func (o attachedOutput) Decision(d reconciler.Decision) {
	if d.Kind == reconciler.Abort {
		o.f.printer.notice("Aborting on container exit...")
	}
	o.f.report(d)
}

// runUpAttached converges the project attached, then follows it in the
// foreground until every attached container has exited for good.
func (a *app) runUpAttached(ctx context.Context, eng engine.Engine, p *types.Project, uo reconciler.UpOptions, o attachOptions, quiet quietOutput, rules []watch.Rule) error {
	printer := newLogPrinter(a.stdout, false, true, false)
	printer.errOut = a.stderr // each container stream to its own, as Docker Compose relays them
	printer.held = true
	f := &follower{printer: printer, project: p.Name, statuses: true}
	out := attachedOutput{renderer: a.progressRenderer(), f: f}
	defer out.Close()
	u, err := reconciler.NewAttachedUp(ctx, eng, p, uo, o.AttachOptions, out)
	if err != nil {
		return err
	}
	defer u.Close()
	r := quiet.filter(a.progressRenderer())
	plan, err := u.Up(ctx, a.applyOptions(), r)
	r.Close()
	if err != nil {
		return interrupted(ctx, err)
	}
	var attached []string
	for _, svc := range u.Services() {
		for _, name := range plan.Replicas[svc] {
			attached = append(attached, shortName(p.Name, name))
		}
	}
	printer.fit(attached...)
	// Our own handler counts presses; it is in place before the first line
	// is shown, so a Ctrl-C prompted by the output always reaches it.
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	early := signalledBefore(ctx, sigc)
	if len(attached) > 0 {
		slices.Sort(attached)
		printer.notice("Attaching to " + strings.Join(attached, ", "))
	}
	printer.release(a.useColor(o.noColor), !o.noPrefix, o.timestamps,
		func(svc string) bool { return slices.Contains(u.Services(), svc) })
	stopWatch := a.watchAttached(ctx, eng, p, uo, rules, printer)
	code, interrupted, err := superviseUntilDone(u, printer, sigc, a.pluginClosed, early)
	stopWatch()
	f.waitFor(5 * time.Second) // the streams of stopped containers end at once
	return upResult(code, err, interrupted)
}

// watchAttached runs the watch of up --watch, its lines among the
// containers' output, until the first Ctrl-C (main's context) or the end
// of the run; the returned func stops it and waits for it.
func (a *app) watchAttached(ctx context.Context, eng engine.Engine, p *types.Project, uo reconciler.UpOptions, rules []watch.Rule, printer *logPrinter) func() {
	if len(rules) == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	out := &watchPrinter{notice: printer.notice}
	r := a.progressRenderer()
	s := a.watchSession(eng, p, rules, uo, r, out.report)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := runSession(ctx, s, out.say); err != nil {
			out.report(watch.Report{Err: err})
		}
	}()
	return func() {
		cancel()
		<-done
		r.Close()
	}
}

// supervised is what superviseUntilDone drives: reconciler.AttachedUp.
type supervised interface {
	Supervise() (int, error)
	Interrupt() (graceful bool)
}

// superviseUntilDone runs the supervisor and answers signals until it is
// done. main's context is cancelled by the first signal, so the run has
// its own; early says a first Ctrl-C came before sigc was registered.
// The docker CLI's closing of the plugin socket (pluginClosed) is a first
// Ctrl-C only: the press that made the CLI close it usually reached berth
// as a signal too, and must not count twice.
func superviseUntilDone(u supervised, printer *logPrinter, sigc <-chan os.Signal, pluginClosed <-chan struct{}, early bool) (code int, interrupted bool, err error) {
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	interrupt := func() {
		interrupted = true
		if u.Interrupt() {
			printer.notice("Gracefully stopping... (press Ctrl+C again to force)")
		}
	}
	if early {
		interrupt()
	}
	go func() {
		code, err := u.Supervise()
		done <- result{code, err}
	}()
	for {
		select {
		case <-sigc:
			interrupt()
		case <-pluginClosed:
			pluginClosed = nil // closed for good: listen no more
			if !interrupted {
				interrupt()
			}
		case res := <-done:
			return res.code, interrupted, res.err
		}
	}
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
