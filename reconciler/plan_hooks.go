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

// The lifecycle hooks, as plan actions. pre_start runs its commands, one
// after the other, each in a container of its own that shares the volumes
// and networks of the service's first replica, once per service, before the
// first start of a service none of whose replicas runs. post_start runs in
// each container right after its start, pre_stop in each running container
// right before stop, down or restart stops it. A failing hook fails the
// action, so what comes after it (the starts, the stop) does not happen.
const (
	OpPreStart  Op = "pre-start"
	OpPostStart Op = "post-start"
	OpPreStop   Op = "pre-stop"
)

// Hook is one hook command, resolved.
type Hook struct {
	Command    []string
	Image      string // pre_start: "" runs the service's image
	User       string
	WorkingDir string
	Privileged bool
	Env        []string // "K=V" (or "K": unset), sorted
}

// hookLabel is LabelHook's value on a pre_start hook container.
const hookLabel = "pre_start"

// preStartHooks are the service's pre_start hooks; per_replica is refused,
// as Docker Compose refuses it.
func preStartHooks(s types.ServiceConfig) ([]Hook, error) {
	var out []Hook
	for i, h := range s.PreStart {
		if h.PerReplica {
			return nil, fmt.Errorf("service %q pre_start[%d]: per_replica is not yet supported; remove per_replica or set it to false", s.Name, i)
		}
		out = append(out, Hook{Command: h.Command, Image: h.Image, User: h.User, WorkingDir: h.WorkingDir, Privileged: h.Privileged, Env: envOf(h.Environment)})
	}
	return out, nil
}

func postStartHooks(s types.ServiceConfig) []Hook {
	var out []Hook
	for _, h := range s.PostStart {
		out = append(out, Hook{Command: h.Command, User: h.User, WorkingDir: h.WorkingDir, Privileged: h.Privileged, Env: envOf(h.Environment)})
	}
	return out
}

func preStopHooks(s types.ServiceConfig) []Hook {
	var out []Hook
	for _, h := range s.PreStop {
		out = append(out, Hook{Command: h.Command, User: h.User, WorkingDir: h.WorkingDir, Privileged: h.Privileged, Env: envOf(h.Environment)})
	}
	return out
}

func envOf(m types.MappingWithEquals) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if v := m[k]; v != nil {
			out = append(out, k+"="+*v)
		} else {
			out = append(out, k)
		}
	}
	return out
}

// planPostStart adds the post_start hooks of container name after its
// start and returns the action dependents gate on: the hooks when there
// are some, else the start itself.
func (pl *planner) planPostStart(s types.ServiceConfig, name string, start int) int {
	hooks := postStartHooks(s)
	if len(hooks) == 0 {
		return start
	}
	return pl.plan.add(Action{Op: OpPostStart, Target: name, Service: s.Name, After: []int{start}, Hooks: hooks})
}

// planPreStart adds the service's pre_start hooks when every replica of
// the plan is about to be started: none runs now, or each is replaced, so
// a scale-up or an unchanged up runs nothing. The hooks run on the first
// replica's volumes, after what its start waits for, and gate every start
// of the service.
func (pl *planner) planPreStart(d *desired) error {
	s := d.service
	hooks, err := preStartHooks(s)
	names := pl.replicas[s.Name]
	if err != nil || len(hooks) == 0 || len(names) == 0 {
		return err
	}
	for _, name := range names {
		if _, starting := pl.starts[s.Name][name]; !starting {
			return nil
		}
	}
	starts := pl.startActions(s.Name)
	first := pl.plan.Actions[starts[0]]
	spec := preStartContainer(pl.p, d, names[0])
	pre := pl.plan.add(Action{Op: OpPreStart, Target: names[0], Service: s.Name, After: slices.Clone(first.After), Soft: slices.Clone(first.Soft),
		Container: &spec, Hooks: hooks})
	for _, i := range starts {
		pl.plan.Actions[i].After = uniqueSorted(append(pl.plan.Actions[i].After, pre))
	}
	return nil
}

// startActions are the indexes of the service's start actions, in order.
func (pl *planner) startActions(service string) []int {
	var out []int
	for i, a := range pl.plan.Actions {
		if a.Op == OpStart && a.Service == service {
			out = append(out, i)
		}
	}
	return out
}

// preStartContainer is the container the hooks of d run in, but for the
// command: the service's image, environment and networks, the volumes of
// the replica it prepares. It is a one-off of the service, so plans and the
// supervisor leave it alone, and down removes one a crash left behind.
func preStartContainer(p *types.Project, d *desired, replica string) engine.ContainerSpec {
	t := d.template()
	return engine.ContainerSpec{
		Name:  replica + "-pre_start",
		Image: project.ImageName(p, d.service),
		Labels: map[string]string{project.LabelProject: p.Name, project.LabelService: d.service.Name,
			project.LabelOneOff: "True", project.LabelVersion: project.Version, project.LabelHook: hookLabel},
		Environment: t.Environment,
		Networks:    t.Networks,
		NetworkMode: t.NetworkMode,
		VolumesFrom: []string{replica},
	}
}

// preStopHooksOf are the pre_stop hooks to run before stopping c: those of
// its service, when it runs (a paused or restarting container cannot exec).
func preStopHooksOf(p *types.Project, c engine.Container) []Hook {
	s, ok := p.Services[c.Labels[project.LabelService]]
	if !ok || c.State != engine.StateRunning || c.Labels[project.LabelOneOff] == "True" {
		return nil
	}
	return preStopHooks(s)
}

// planRestart adds the restart of c, between its service's pre_stop and
// post_start hooks, and returns what dependents wait for.
func planRestart(plan *Plan, p *types.Project, c engine.Container, grace *time.Duration, after []int) int {
	svc := c.Labels[project.LabelService]
	if hooks := preStopHooksOf(p, c); len(hooks) > 0 {
		after = []int{plan.add(Action{Op: OpPreStop, Target: c.Name, Service: svc, After: after, Hooks: hooks})}
	}
	restart := plan.add(Action{Op: OpRestart, Target: c.Name, Service: svc, Grace: grace, After: after})
	if hooks := postStartHooks(p.Services[svc]); len(hooks) > 0 {
		return plan.add(Action{Op: OpPostStart, Target: c.Name, Service: svc, After: []int{restart}, Hooks: hooks})
	}
	return restart
}
