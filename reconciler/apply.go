package reconciler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"berth/engine"
	"berth/imagebuild"
	"berth/provider"

	"golang.org/x/sync/errgroup"
)

// ApplyOptions shape one Apply.
type ApplyOptions struct {
	// Parallel caps the engine calls in flight (--parallel,
	// COMPOSE_PARALLEL_LIMIT); 0 or less means no cap.
	Parallel int

	// streams takes the output of attach actions; only attached up has them.
	streams *streamSink
	// Registries are the logins and choices of pulls and pushes.
	Registries Registries
	// Build are the choices of every build (DOCKER_BUILDKIT=0 asks for
	// the classic builder).
	Build imagebuild.Options
	// Exclusive serializes the runs that change one project: Up and Down
	// hold it from their observation to their last change, so two of them
	// never act on what the other observed. nil: no serialization.
	Exclusive func(ctx context.Context, project string) (release func(), err error)
}

// exclusive takes o.Exclusive for project, when there is one.
func (o ApplyOptions) exclusive(ctx context.Context, project string) (release func(), err error) {
	if o.Exclusive == nil {
		return func() {}, nil
	}
	return o.Exclusive(ctx, project)
}

// applier walks one plan. Each action runs in its own goroutine once the
// actions it needs are done; an action whose dependency failed is skipped,
// and actions that do not depend on a failure go on, so one bad service
// leaves the others as they are.
type applier struct {
	eng      engine.Engine
	plan     Plan
	progress Progress
	sem      chan struct{} // nil: unlimited
	done     []chan struct{}
	failed   []bool // written before done[i] closes
	exits    *exitWaits
	streams  *streamSink // nil: the plan attaches to nothing
	health   *healthHub
	leaves   *disconnects // nil: no network removal waits
	reg      Registries
	buildOpt imagebuild.Options

	errMu   sync.Mutex
	errs    []error
	toBuild []string // services whose image failed to pull but can be built

	provMu   sync.Mutex
	provided map[string]provider.Vars // provider service → the variables its run set
}

// Apply runs the plan against the engine, in parallel where the DAG allows.
// It returns every failure joined; after a cancellation it returns the
// context's error alone.
func Apply(ctx context.Context, eng engine.Engine, plan Plan, progress Progress, o ApplyOptions) error {
	progress = orQuiet(progress)
	a := &applier{eng: eng, plan: plan, progress: progress,
		done: make([]chan struct{}, len(plan.Actions)), failed: make([]bool, len(plan.Actions)),
		exits: newExitWaits(plan), streams: o.streams, reg: o.Registries, buildOpt: o.Build,
		provided: map[string]provider.Vars{}}
	if o.Parallel > 0 {
		a.sem = make(chan struct{}, o.Parallel)
	}
	for i := range a.done {
		a.done[i] = make(chan struct{})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if plan.Count(OpWaitHealthy) > 0 {
		// Subscribe before anything starts so no health event is missed.
		a.health = watchHealth(ctx, eng, plan.Project.Name)
	}
	// Subscribe before any stop, so no disconnect is missed.
	a.leaves = watchDisconnects(ctx, eng, plan)
	var g errgroup.Group
	for i := range plan.Actions {
		g.Go(func() error { a.run(ctx, i); return nil })
	}
	_ = g.Wait() // run records its errors
	a.buildHint()
	if err := ctx.Err(); err != nil && len(a.errs) == 0 {
		return err
	}
	return errors.Join(a.errs...)
}

// run waits for action i's dependencies, then performs it.
func (a *applier) run(ctx context.Context, i int) {
	defer close(a.done[i])
	act := a.plan.Actions[i]
	// A cancellation starts nothing new, also when it and the last
	// dependency's end arrive together (awaitDeps may see either first).
	if !a.awaitDeps(ctx, act) || ctx.Err() != nil {
		a.failed[i] = true
		return
	}
	a.event(act, false, nil)
	if err := a.do(ctx, act); err != nil {
		a.failed[i] = true
		if ctx.Err() == nil {
			a.fail(act, err)
		}
		return
	}
	a.event(act, true, nil)
}

// awaitDeps waits for the actions act needs and reports whether act may
// run: not when one it requires failed, nor after a cancellation. A failed
// optional dependency (required: false) only earns a warning.
func (a *applier) awaitDeps(ctx context.Context, act Action) bool {
	warned := map[string]bool{}
	for _, dep := range act.After {
		select {
		case <-a.done[dep]:
		case <-ctx.Done():
			return false
		}
		if !a.failed[dep] {
			continue
		}
		if !slices.Contains(act.Soft, dep) {
			return false
		}
		if svc := a.plan.Actions[dep].Service; !warned[svc] {
			warned[svc] = true
			a.warn(fmt.Sprintf("optional dependency %q %s; starting %s anyway", svc, optionalFailure(a.plan.Actions[dep].Op), act.Target))
		}
	}
	return true
}

// optionalFailure words an optional dependency's failure as Docker
// Compose does: a health wait "failed to start", anything else "is not
// running or is unhealthy".
func optionalFailure(op Op) string {
	if op == OpWaitHealthy {
		return "failed to start"
	}
	return "is not running or is unhealthy"
}

// fail records an action's error; an optional wait's failure, or an
// ignored pull or push failure, is a warning.
func (a *applier) fail(act Action, err error) {
	if act.Optional || a.ignorable(act) {
		a.warn(err.Error())
		a.mustBuild(act)
		return
	}
	a.event(act, true, err)
	a.errMu.Lock()
	a.errs = append(a.errs, err)
	a.errMu.Unlock()
}

func (a *applier) warn(line string) {
	a.progress.Event(ProgressEvent{Kind: "Warning", Status: "Warning", Line: line, Done: true})
}

// acquire takes a slot of the parallel limit; release gives it back.
func (a *applier) acquire(ctx context.Context) error {
	if a.sem == nil {
		return nil
	}
	select {
	case a.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *applier) release() {
	if a.sem != nil {
		<-a.sem
	}
}

// failure wraps an action's error with the service and resource it concerns.
func failure(act Action, what string, err error) error {
	if err == nil {
		return nil
	}
	if act.Service != "" {
		return fmt.Errorf("service %q: %s %q: %w", act.Service, what, act.Target, err)
	}
	return fmt.Errorf("%s %q: %w", what, act.Target, err)
}
