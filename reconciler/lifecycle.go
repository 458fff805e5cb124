package reconciler

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// The operations of the lifecycle commands (start, stop, restart, kill,
// pause, unpause, rm); start, stop and remove reuse OpStart, OpStop and
// OpRemove.
const (
	OpRestart Op = "restart"
	OpKill    Op = "kill"
	OpPause   Op = "pause"
	OpUnpause Op = "unpause"
)

func init() {
	// Docker Compose's wording for them; the map is apply_events.go's.
	words[OpRestart] = wording{"Container", "Restarting", "Started"}
	words[OpKill] = wording{"Container", "Killing", "Killed"}
	words[OpPause] = wording{"Container", "Pausing", "Paused"}
	words[OpUnpause] = wording{"Container", "Unpausing", "Unpaused"}
}

// LifecycleOptions shape the plans of the lifecycle commands.
type LifecycleOptions struct {
	// Services are the services named on the command line; empty: all of
	// the project's. start also starts what they depend on.
	Services []string
	Timeout  *time.Duration // stop, restart, rm -s: nil is each container's own
	Signal   string         // kill: "" is SIGKILL
	Stop     bool           // rm -s: stop running containers first
	Volumes  bool           // rm -v: remove anonymous volumes
	NoDeps   bool           // restart --no-deps: not the services that depend on them with restart: true
	// Stopped makes a stop plan take the containers that are not running
	// too (the `stop` command): the engine leaves them as they are, and
	// each is reported Stopped, as Docker Compose reports it.
	Stopped bool
}

// selectedContainers are the project's non-one-off containers of the
// named services (all services when none are named), by service.
func selectedContainers(p *types.Project, st Observed, services []string) map[string][]engine.Container {
	out := map[string][]engine.Container{}
	for _, c := range st.Containers {
		svc := c.Labels[project.LabelService]
		if c.Labels[project.LabelOneOff] == "True" {
			continue
		}
		if _, ok := p.Services[svc]; !ok {
			continue
		}
		if len(services) == 0 || slices.Contains(services, svc) {
			out[svc] = append(out[svc], c)
		}
	}
	return out
}

// NewStartPlan plans `start`: start the stopped containers of the services
// and of what they depend on, each after its dependencies' conditions
// (started, healthy, completed successfully). It never creates: a service
// without containers is an error, as in Docker Compose.
func NewStartPlan(p *types.Project, st Observed, o LifecycleOptions) (Plan, error) {
	p, err := p.WithSelectedServices(o.Services) // the named services and what they depend on
	if err != nil {
		return Plan{}, err
	}
	order, err := project.StartOrder(p)
	if err != nil {
		return Plan{}, err
	}
	pl := newPlanner(p, st, UpOptions{})
	bySvc := selectedContainers(p, st, nil)
	for _, name := range o.Services {
		if len(bySvc[name]) == 0 {
			return Plan{}, fmt.Errorf("service %q has no container to start", name)
		}
	}
	for _, name := range order {
		pl.selected[name] = len(bySvc[name]) > 0
		pl.starts[name] = map[string]int{}
		for _, c := range bySvc[name] {
			pl.replicas[name] = append(pl.replicas[name], c.Name)
			if !isRunning(c) {
				pl.start(p.Services[name], c.Name, "", -1)
			}
		}
		if err := pl.planPreStart(pl.d.services[name]); err != nil {
			return Plan{}, err
		}
	}
	return pl.plan, nil
}

// NewStopPlan plans `stop`, and the stop of attached `up` after Ctrl-C or
// an abort: the running containers (all of them with o.Stopped), dependents
// first. The stop of a container that is not running says so.
func NewStopPlan(p *types.Project, st Observed, o LifecycleOptions) Plan {
	plan := Plan{Project: p}
	bySvc := selectedContainers(p, st, o.Services)
	stopped := map[string]bool{}
	for svc, cs := range bySvc {
		for _, c := range cs {
			stopped[c.Name] = !isRunning(c)
		}
		if !o.Stopped {
			bySvc[svc] = slices.DeleteFunc(slices.Clone(cs), func(c engine.Container) bool { return !isRunning(c) })
		}
	}
	stops := planStops(&plan, p, bySvc, o.Timeout)
	for i, a := range plan.Actions {
		if a.Op == OpStop && stopped[a.Target] {
			plan.Actions[i].Reason = "not running"
		}
	}
	planProviderHooks(&plan, p, o.Services, OpProviderStop, stops, nil)
	return plan
}

// NewRestartPlan plans `restart`: every container of the services, running
// or not, each once the services it depends on that restart too are back
// as their depends_on condition asks (started, healthy, completed). As in
// Docker Compose, naming a service also restarts the services that declare
// `restart: true` on it (transitively), unless NoDeps.
func NewRestartPlan(p *types.Project, st Observed, o LifecycleOptions) (Plan, error) {
	order, err := project.StartOrder(p)
	if err != nil {
		return Plan{}, err
	}
	services := o.Services
	if len(services) > 0 && !o.NoDeps {
		services = project.WithDependents(p, services, func(d types.ServiceDependency) bool { return d.Restart })
	}
	bySvc := selectedContainers(p, st, services)
	pl := newPlanner(p, st, UpOptions{})
	for _, svc := range order {
		var after []int
		for _, dep := range project.Dependencies(p.Services[svc]) {
			if len(pl.starts[dep]) > 0 { // restarted here: wait for its condition
				cfg := p.Services[svc].DependsOn[dep]
				after = append(after, pl.gateOn(dep, cfg.Condition, cfg.Required)...)
			}
		}
		pl.starts[svc] = map[string]int{}
		for _, c := range bySvc[svc] {
			pl.replicas[svc] = append(pl.replicas[svc], c.Name)
			pl.starts[svc][c.Name] = planRestart(&pl.plan, p, c, o.Timeout, uniqueSorted(after))
		}
	}
	return pl.plan, nil
}

// NewKillPlan plans `kill`: the running containers. It, NewPausePlan and
// NewUnpausePlan act on every container at once: order does not matter to
// a signal or a freeze.
func NewKillPlan(p *types.Project, st Observed, o LifecycleOptions) Plan {
	return parallelPlan(p, st, o, OpKill, isRunning)
}

// NewPausePlan plans `pause`: the running containers, paused ones too, as
// Docker Compose does: pausing a paused service fails with the engine's
// "is already paused".
func NewPausePlan(p *types.Project, st Observed, o LifecycleOptions) Plan {
	return parallelPlan(p, st, o, OpPause, func(c engine.Container) bool {
		return c.State == engine.StateRunning || c.State == engine.StatePaused
	})
}

// NewUnpausePlan plans `unpause`: the paused containers.
func NewUnpausePlan(p *types.Project, st Observed, o LifecycleOptions) Plan {
	return parallelPlan(p, st, o, OpUnpause, func(c engine.Container) bool { return c.State == engine.StatePaused })
}

func parallelPlan(p *types.Project, st Observed, o LifecycleOptions, op Op, want func(engine.Container) bool) Plan {
	plan := Plan{Project: p}
	bySvc := selectedContainers(p, st, o.Services)
	for _, svc := range slices.Sorted(maps.Keys(bySvc)) {
		for _, c := range bySvc[svc] {
			if want(c) {
				plan.add(Action{Op: op, Target: c.Name, Service: svc, Signal: o.Signal})
			}
		}
	}
	return plan
}

// NewRemovePlan plans `rm`: the stopped containers of the services; with
// o.Stop the running ones too, stopped first (dependents first).
func NewRemovePlan(p *types.Project, st Observed, o LifecycleOptions) Plan {
	plan := Plan{Project: p}
	if o.Stop {
		plan = NewStopPlan(p, st, o)
	}
	stopOf := map[string]int{}
	for i, a := range plan.Actions {
		stopOf[a.Target] = i
	}
	bySvc := selectedContainers(p, st, o.Services)
	for _, svc := range slices.Sorted(maps.Keys(bySvc)) {
		for _, c := range bySvc[svc] {
			i, stopping := stopOf[c.Name]
			if isRunning(c) && !stopping {
				continue
			}
			a := Action{Op: OpRemove, Target: c.Name, Service: svc, Remove: engine.RemoveOptions{Force: stopping, Volumes: o.Volumes}}
			if stopping {
				a.After = []int{i}
			}
			plan.add(a)
		}
	}
	return plan
}
