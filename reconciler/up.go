package reconciler

import (
	"context"
	"errors"
	"maps"
	"slices"

	"berth/engine"

	"github.com/compose-spec/compose-go/v2/types"
)

// PlanUp observes the engine and plans `up` as Up would first plan it,
// the pull log and the questions about changed volumes included; `up
// --dry-run` prints this.
func PlanUp(ctx context.Context, eng engine.Engine, p *types.Project, o UpOptions, ap ApplyOptions) (Plan, error) {
	st, err := Observe(ctx, eng, p)
	if err != nil {
		return Plan{}, err
	}
	st.Pulled = ap.Registries.Log.Times()
	plan, _, err := planAsking(p, st, o)
	return plan, err
}

// Up converges the engine to the project (`up -d`, and the first half of
// attached `up`): observe, plan, build what must be built, apply, and, with
// o.Wait, wait until the services are ready. It returns the plan it applied,
// whose Replicas name the containers the caller may attach to.
func Up(ctx context.Context, eng engine.Engine, p *types.Project, o UpOptions, ap ApplyOptions, progress Progress) (Plan, error) {
	progress = orQuiet(progress)
	release, err := ap.exclusive(ctx, p.Name)
	if err != nil {
		return Plan{}, err
	}
	plan, err := up(ctx, eng, p, o, ap, progress)
	release() // waiting for readiness changes nothing
	if err != nil {
		return plan, err
	}
	if o.Wait && !o.NoStart {
		return plan, WaitReady(ctx, eng, p, slices.Sorted(maps.Keys(plan.Replicas)), o.WaitTimeout)
	}
	return plan, nil
}

// up is Up up to the readiness wait: observe, plan, pull and build, apply.
func up(ctx context.Context, eng engine.Engine, p *types.Project, o UpOptions, ap ApplyOptions, progress Progress) (Plan, error) {
	st, err := Observe(ctx, eng, p)
	if err != nil {
		return Plan{}, err
	}
	st.Pulled = ap.Registries.Log.Times()
	plan, o, err := planAsking(p, st, o)
	if err != nil {
		return Plan{}, err
	}
	if images := plan.only(OpPull, OpBuild); !images.Empty() {
		// The images pulled and built decide which containers change:
		// get them first, then plan again against the new images.
		if err := Apply(ctx, eng, images, progress, ap); err != nil {
			return plan, err
		}
		if st.Images, err = ObserveImages(ctx, eng, p); err != nil {
			return plan, err
		}
		o.Build, o.built, o.pulled = false, true, true
		if plan, err = NewPlan(p, st, o); err != nil {
			return plan, err
		}
	}
	warn(progress, plan.Warnings)
	if plan, err = applyUp(ctx, eng, p, plan, o, ap, progress); err != nil {
		return plan, err
	}
	reportRunning(progress, plan)
	return plan, nil
}

// staleTaskRounds bounds how often Up plans again to clear containers the
// engine cannot start for a task a crash left behind.
const staleTaskRounds = 3

// applyUp applies plan. When the engine refuses starts that only a new
// container clears (stale.go: Engine 20.10's "task <id>: already exists"
// after a crash, a network removed under a created container), it observes
// again and applies a plan that replaces those containers, saying why.
func applyUp(ctx context.Context, eng engine.Engine, p *types.Project, plan Plan, o UpOptions, ap ApplyOptions, progress Progress) (Plan, error) {
	for round := 0; ; round++ {
		err := Apply(ctx, eng, plan, progress, ap)
		stale := staleTasks(err)
		if len(stale) == 0 || round == staleTaskRounds || ctx.Err() != nil {
			return plan, err
		}
		st, oerr := Observe(ctx, eng, p)
		if oerr != nil {
			return plan, errors.Join(err, oerr)
		}
		st.Pulled = ap.Registries.Log.Times()
		o.staleTasks = stale
		if plan, oerr = NewPlan(p, st, o); oerr != nil {
			return plan, errors.Join(err, oerr)
		}
	}
}

// Down stops and removes the project (`down`).
func Down(ctx context.Context, eng engine.Engine, p *types.Project, o DownOptions, ap ApplyOptions, progress Progress) (Plan, error) {
	progress = orQuiet(progress)
	release, err := ap.exclusive(ctx, p.Name)
	if err != nil {
		return Plan{}, err
	}
	defer release()
	plan, err := PlanDown(ctx, eng, p, o)
	if err != nil {
		return plan, err
	}
	warn(progress, plan.Warnings)
	again := o
	again.noProviders = true
	for round := 0; ; round++ {
		err = Apply(ctx, eng, plan, progress, ap)
		if ctx.Err() != nil || round == downRounds {
			return plan, err
		}
		next, perr := PlanDown(ctx, eng, p, again)
		// After a clean round anything left to do was made meanwhile (a
		// network an up created again); after a failed one only
		// containers the round did not know count, not its failures.
		if perr != nil || !(err == nil && len(next.Actions) > 0 || removesOthers(next, plan)) {
			return plan, err
		}
		plan = next
	}
}

// downRounds bounds how often down plans again for what runs racing it
// (an up started at the same time) created after it observed.
const downRounds = 3

// removesOthers says whether next removes a container plan did not know:
// one created after plan's observation, which down takes too, so that a
// down racing ups leaves nothing rather than what they made meanwhile.
func removesOthers(next, plan Plan) bool {
	known := map[string]bool{}
	for _, a := range plan.Actions {
		if a.Op == OpRemove {
			known[a.Target] = true
		}
	}
	for _, a := range next.Actions {
		if a.Op == OpRemove && !known[a.Target] {
			return true
		}
	}
	return false
}

// PlanDown observes the engine and plans `down`.
func PlanDown(ctx context.Context, eng engine.Engine, p *types.Project, o DownOptions) (Plan, error) {
	st, err := Observe(ctx, eng, p)
	if err != nil {
		return Plan{}, err
	}
	return NewDownPlan(p, st, o), nil
}

// only is the part of the plan made of ops actions (which must not depend
// on anything else).
func (p Plan) only(ops ...Op) Plan {
	out := Plan{Project: p.Project}
	for _, a := range p.Actions {
		if slices.Contains(ops, a.Op) {
			a.After = nil
			out.Actions = append(out.Actions, a)
		}
	}
	return out
}

func warn(progress Progress, warnings []string) {
	for _, w := range warnings {
		progress.Event(ProgressEvent{Kind: "Warning", Status: "Warning", Line: w, Done: true})
	}
}

// reportRunning says "Running" for the containers the plan left alone, as
// Docker Compose does for a service that is up to date.
func reportRunning(progress Progress, plan Plan) {
	touched := map[string]bool{}
	for _, a := range plan.Actions {
		touched[a.Target] = touched[a.Target] || a.Op != OpAttach
	}
	for _, svc := range slices.Sorted(maps.Keys(plan.Replicas)) {
		for _, name := range plan.Replicas[svc] {
			if !touched[name] {
				progress.Event(ProgressEvent{Kind: "Container", Name: name, Service: svc, Status: "Running", Done: true})
			}
		}
	}
}

func orQuiet(progress Progress) Progress {
	if progress == nil {
		return ProgressFunc(func(ProgressEvent) {})
	}
	return progress
}
