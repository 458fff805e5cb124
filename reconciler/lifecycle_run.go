package reconciler

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// NewRunPlan plans `run`: what `up` would do for the service's
// dependencies (unless NoDeps), the networks and volumes the one-off needs,
// its image when it must be built, and the create of the one-off container
// once its dependencies meet their conditions. Starting it is the
// caller's, which attaches first.
func NewRunPlan(p *types.Project, st Observed, o RunOptions) (Plan, engine.ContainerSpec, error) {
	order, err := project.StartOrder(p)
	if err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	s, err := o.service(p)
	if err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	if isProvider(s) {
		return Plan{}, engine.ContainerSpec{}, fmt.Errorf("service %q is a provider service (provider.type %q): it has no container to run", s.Name, s.Provider.Type)
	}
	pl := newPlanner(p, st, UpOptions{NoDeps: o.NoDeps, Pull: o.Pull, InjectKey: o.InjectKey, ProxyEnv: o.ProxyEnv,
		RemoveOrphans: o.RemoveOrphans, IgnoreOrphans: o.IgnoreOrphans})
	if pl.selected, err = selection(p, UpOptions{Services: []string{s.Name}, NoDeps: o.NoDeps}); err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	if o.Build {
		pl.buildRun = s.Name // built, not pulled: a run has no second plan to build what a pull missed
	}
	if err := pl.planPulls(); err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	pl.planNetworks()
	pl.planVolumes()
	for _, name := range order {
		if pl.selected[name] && name != s.Name {
			if err := pl.planService(pl.d.services[name]); err != nil {
				return Plan{}, engine.ContainerSpec{}, err
			}
		}
	}
	pl.o.Build = o.Build
	imageID, err := pl.planImage(s)
	if err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	s.ContainerName = ""
	d := resolveService(p, s, st.APIVersion)
	if err := pl.checkFeatures(d); err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	if d.injectErr != nil {
		return Plan{}, engine.ContainerSpec{}, d.injectErr
	}
	if len(d.inject) > 0 && len(o.InjectKey) == 0 {
		return Plan{}, engine.ContainerSpec{}, fmt.Errorf("service %q: no key to label its secrets and configs from environment: or content: (RunOptions.InjectKey)", s.Name)
	}
	spec := oneOffSpec(p, d, imageID, o)
	providers, _ := pl.providersOf(s) // runAfter waits for their runs
	pl.plan.add(Action{Op: OpCreate, Target: spec.Name, Service: s.Name, After: pl.runAfter(s), Container: &spec, Inject: d.inject, Providers: providers})
	pl.planOrphans()
	pl.plan.Replicas = pl.replicas
	return pl.plan, spec, nil
}

// runAfter is what the one-off's create waits for: its networks, volumes
// and image, and its dependencies' conditions.
func (pl *planner) runAfter(s types.ServiceConfig) []int {
	after := pl.resourcesOf(s)
	for _, dep := range project.Dependencies(s) {
		if pl.selected[dep] && dep != s.Name {
			after = append(after, pl.gate(dep, s.DependsOn[dep].Condition)...)
		}
	}
	return uniqueSorted(after)
}

// oneOffSpec is the one-off container: the service as the one-off runs it,
// resolved (d, without container_name), with the one-off labels and its own
// name. Its secrets and configs from environment: or content: are written in
// like a service container's (the create action's Inject).
func oneOffSpec(p *types.Project, d *desired, imageID string, o RunOptions) engine.ContainerSpec {
	spec := d.replica(p, 1, imageID, nil, false, o.InjectKey)
	spec.Labels[project.LabelOneOff] = "True"
	delete(spec.Labels, project.LabelNumber) // a one-off is no replica: exec --index never picks it
	spec.Labels[project.LabelSlug] = o.Slug
	spec.Name = o.Name
	if spec.Name == "" {
		short := o.Slug
		if len(short) > 12 {
			short = short[:12]
		}
		spec.Name = project.OneOffName(p.Name, d.service.Name, short)
	}
	spec.Environment = withProxy(spec.Environment, o.ProxyEnv)
	spec.StdinOnce = o.Interactive && !o.Detach
	spec.AutoRemove = o.Remove && o.Detach
	return spec
}

// LifecyclePlan observes the engine and plans one lifecycle command: "start",
// "stop", "restart", "kill", "pause", "unpause" or "rm".
func LifecyclePlan(ctx context.Context, eng engine.Engine, p *types.Project, command string, o LifecycleOptions) (Plan, error) {
	st, err := Observe(ctx, eng, p)
	if err != nil {
		return Plan{}, err
	}
	switch command {
	case "start":
		return NewStartPlan(p, st, o)
	case "stop":
		return NewStopPlan(p, st, o), nil
	case "restart":
		return NewRestartPlan(p, st, o)
	case "kill":
		return NewKillPlan(p, st, o), nil
	case "pause":
		return NewPausePlan(p, st, o), nil
	case "unpause":
		return NewUnpausePlan(p, st, o), nil
	case "rm":
		return NewRemovePlan(p, st, o), nil
	}
	return Plan{}, fmt.Errorf("unknown lifecycle command %q", command)
}
