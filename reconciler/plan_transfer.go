package reconciler

import (
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
	"berth/registry"
)

// PullOptions are the choices of `berth pull`.
type PullOptions struct {
	Services        []string // empty: all
	IncludeDeps     bool
	IgnoreBuildable bool   // skip services that have a build section
	Policy          string // --policy: "missing" or "always" (the default)
}

// NewPullPlan plans `berth pull`: one pull per distinct reference of the
// selected services, skipping those whose pull_policy is never or build
// and, under --policy missing (or the service's own missing), those whose
// image is present. Services without image: are built, never pulled.
func NewPullPlan(p *types.Project, st Observed, o PullOptions) (Plan, error) {
	sel, err := selection(p, UpOptions{Services: o.Services, NoDeps: !o.IncludeDeps})
	if err != nil {
		return Plan{}, err
	}
	policy := o.Policy
	if policy == "" {
		policy = types.PullPolicyAlways
	}
	pl := &planner{p: p, st: st, plan: Plan{Project: p}, selected: map[string]bool{}}
	for name := range sel {
		s := p.Services[name]
		switch {
		case s.Image == "", o.IgnoreBuildable && s.Build != nil:
			continue
		case s.PullPolicy == types.PullPolicyNever, s.PullPolicy == types.PullPolicyBuild:
			continue
		}
		pl.selected[name] = true
	}
	pl.o.Pull = policy
	if err := pl.planPullsFor(slices.Sorted(maps.Keys(pl.selected)), true); err != nil {
		return Plan{}, err
	}
	for i, a := range pl.plan.Actions {
		if a.Reason == "pull_policy: always" && o.Policy == "" {
			pl.plan.Actions[i].Reason = "" // pulling is what the command is for
		}
	}
	return pl.plan, nil
}

// PullSkips reports, as Docker Compose does, each selected service a pull
// leaves out because it names no image (it only builds one): Skipped, "No
// image to be pulled".
func PullSkips(p *types.Project, o PullOptions, progress Progress) error {
	sel, err := selection(p, UpOptions{Services: o.Services, NoDeps: !o.IncludeDeps})
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(sel)) {
		if p.Services[name].Image == "" {
			orQuiet(progress).Event(ProgressEvent{Name: name, Service: name, Status: "Skipped", Reason: "No image to be pulled", Done: true})
		}
	}
	return nil
}

// PushOptions are the choices of `berth push`.
type PushOptions struct {
	Services    []string // empty: all
	IncludeDeps bool
}

// NewPushPlan plans `berth push`: the image of every selected service that
// builds one and names it (image: with build:), as Docker Compose does.
func NewPushPlan(p *types.Project, o PushOptions) (Plan, error) {
	sel, err := selection(p, UpOptions{Services: o.Services, NoDeps: !o.IncludeDeps})
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Project: p}
	seen := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(sel)) {
		s := p.Services[name]
		ref := project.ImageName(p, s)
		if s.Build == nil || s.Image == "" || seen[ref] {
			continue
		}
		if _, err := registry.ParseRef(ref); err != nil {
			return Plan{}, err
		}
		seen[ref] = true
		plan.add(Action{Op: OpPush, Target: ref, Service: name})
	}
	return plan, nil
}
