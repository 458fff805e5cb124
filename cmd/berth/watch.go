package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/reconciler"
	"berth/watch"
)

// watchOptions are the flags of `watch`.
type watchOptions struct {
	noUp, prune, quiet bool
}

func newWatchCommand(a *app) *cobra.Command {
	var o watchOptions
	cmd := &cobra.Command{
		Use:               "watch [SERVICE...]",
		Short:             "Watch the build context for services and rebuild/refresh containers when files are updated",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runWatch(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.noUp, "no-up", false, "Do not build & start services before watching")
	f.BoolVar(&o.prune, "prune", true, "Prune dangling images on rebuild")
	f.BoolVar(&o.quiet, "quiet", false, "hide build output and the watch's lines (errors still show)")
	return cmd
}

// runWatch brings the services up (unless --no-up), then watches until
// Ctrl-C, which stops the watch and leaves the services running.
func (a *app) runWatch(ctx context.Context, o watchOptions, services []string) error {
	p, eng, err := a.open(ctx, services...)
	if err != nil {
		return err
	}
	rules, err := watch.Rules(p, services)
	if err != nil {
		return err
	}
	if a.global.dryRun {
		printRules(a.stdout, rules)
		return nil
	}
	uo := reconciler.UpOptions{Services: services}
	if uo.InjectKey, err = injectKey(p); err != nil {
		return err
	}
	if uo.ProxyEnv, err = a.proxyEnv(); err != nil {
		return err
	}
	r := a.progressRenderer()
	defer r.Close()
	if !o.noUp {
		if _, err := reconciler.Up(ctx, eng, p, uo, a.applyOptions(), r); err != nil {
			return interrupted(ctx, err)
		}
	}
	out := &watchPrinter{out: a.stdout, quiet: o.quiet}
	s := a.watchSession(eng, p, rules, uo, r, out.report)
	s.Prune = o.prune
	if o.quiet {
		s.Progress = nil
	}
	return runSession(ctx, s, out.say)
}

// watchSession is the session `watch` and `up --watch` run.
func (a *app) watchSession(eng engine.Engine, p *types.Project, rules []watch.Rule, uo reconciler.UpOptions, progress reconciler.Progress, report func(watch.Report)) *watch.Session {
	return &watch.Session{Engine: eng, Project: p, Rules: rules, Up: uo, Apply: a.applyOptions(),
		Progress: progress, Report: report}
}

// runSession watches until ctx ends: the watch is in place before the
// initial sync, so nothing saved meanwhile is missed. say tells the user
// that the watch runs (" Watch enabled", as Docker Compose says it).
func runSession(ctx context.Context, s *watch.Session, say func(string)) error {
	w, err := s.Start()
	if err != nil {
		return err
	}
	say(" Watch enabled")
	s.InitialSync(ctx)
	return s.Loop(ctx, w)
}

// printRules shows what --dry-run would watch, one rule a line.
func printRules(w io.Writer, rules []watch.Rule) {
	for _, r := range rules {
		line := fmt.Sprintf(" Watch %s would %s on changes in %s", r.Service, r.Action, r.Path)
		if r.Syncs() {
			line += " (to " + r.Target + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// watchPrinter renders the watch's reports: one line per action, errors
// (which --quiet does not hide) naming the file and the rule. Errors go to
// stdout with the rest, so the lines keep the order things happened in.
type watchPrinter struct {
	mu    sync.Mutex
	out   io.Writer
	quiet bool
	// notice, when set, prints every line instead (up --watch: between
	// the containers' log lines).
	notice func(string)
}

// say prints a line of the watch's own, unless quiet.
func (p *watchPrinter) say(text string) {
	if !p.quiet {
		p.report(watch.Report{Note: text})
	}
}

func (p *watchPrinter) report(r watch.Report) {
	text, isErr := watchLine(r)
	if p.quiet && !isErr {
		return
	}
	if p.notice != nil {
		p.notice(text)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.out, text)
}

// watchLine words a report: " Watch web synced 3 files to /app (48 ms)".
func watchLine(r watch.Report) (string, bool) {
	ms := r.Elapsed.Milliseconds()
	switch {
	case r.Err != nil:
		var b strings.Builder
		fmt.Fprintf(&b, " Watch %s error: ", r.Service)
		if r.File != "" {
			b.WriteString(r.File + ": ")
		}
		b.WriteString(r.Err.Error())
		if r.Service != "" {
			b.WriteString(" (" + r.Rule.String() + ")")
		}
		return b.String(), true
	case r.Service == "" && r.Note != "":
		return r.Note, false
	case r.Note != "":
		return fmt.Sprintf(" Watch %s %s", r.Service, r.Note), false
	case r.Verb == "synced":
		return fmt.Sprintf(" Watch %s synced %s to %s (%d ms)", r.Service, files(r.Count), r.Target, ms), false
	case r.Verb == "deleted":
		return fmt.Sprintf(" Watch %s deleted %s in %s (%d ms)", r.Service, files(r.Count), r.Target, ms), false
	case r.Verb == "executed":
		return fmt.Sprintf(" Watch %s executed %q (%d ms)", r.Service, r.Target, ms), false
	}
	return fmt.Sprintf(" Watch %s %s (%d ms)", r.Service, r.Verb, ms), false
}

func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}
