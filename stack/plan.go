package stack

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
	"berth/project"
)

// Op is what one action does: one engine call, or a wait.
type Op string

const (
	OpCreateNetwork Op = "create-network"
	OpCreateSecret  Op = "create-secret"
	OpCreateConfig  Op = "create-config"
	OpCreateService Op = "create-service"
	OpUpdateService Op = "update-service"
	// OpWaitHealthy waits until every task of a service runs and is
	// healthy, before its service_healthy dependents are created.
	OpWaitHealthy   Op = "wait-healthy"
	OpRemoveService Op = "remove-service"
	// OpWaitRemoved waits until the removed services' tasks are gone, so
	// the networks they used can go.
	OpWaitRemoved   Op = "wait-removed"
	OpRemoveSecret  Op = "remove-secret"
	OpRemoveConfig  Op = "remove-config"
	OpRemoveNetwork Op = "remove-network"
)

// Action is one step of a deploy.
type Action struct {
	Op     Op
	Target string // the Swarm name
	Reason string
	After  []int // actions that must finish first
	// Service is the desired service (create, update, wait).
	Service *Service
	// ID and Version are the observed object's (update, remove).
	ID      string
	Version swarm.Version
	// Network and Object are what create-network, create-secret and
	// create-config create.
	Network *engine.SwarmNetwork
	Object  *Object
}

// Plan is a deploy: actions in an order that respects their After.
type Plan struct {
	Stack    string
	Actions  []Action
	Warnings []string
}

// String is the plan one action a line, as --dry-run prints it and as
// the plan tests compare it.
func (p Plan) String() string {
	var b strings.Builder
	for i, a := range p.Actions {
		fmt.Fprintf(&b, "#%d %s %s", i, a.Op, a.Target)
		if a.Reason != "" {
			fmt.Fprintf(&b, " (%s)", a.Reason)
		}
		if len(a.After) > 0 {
			var deps []string
			for _, d := range a.After {
				deps = append(deps, fmt.Sprintf("#%d", d))
			}
			fmt.Fprintf(&b, " after %s", strings.Join(deps, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Observed is one snapshot of the stack on the swarm, and what the
// preflight checks need of the rest of it.
type Observed struct {
	Info     engine.SwarmInfo
	Nodes    []swarm.Node
	Services []swarm.Service // the stack's
	// Others are every other service on the swarm (their published ports).
	Others   []swarm.Service
	Networks []engine.SwarmNetwork
	Secrets  []swarm.Secret
	Configs  []swarm.Config
}

// PlanOptions are the choices of a deploy.
type PlanOptions struct {
	// Prune removes the stack's services the file no longer has (and the
	// networks only they used).
	Prune bool
}

// NewPlan compares the desired stack with the snapshot: it is pure. It
// fails, before anything is created, when the engine is no manager, a
// port is published by another service, a placement fits no node, or
// host-mode ports ask for more tasks than nodes.
func NewPlan(d Desired, st Observed, o PlanOptions) (Plan, error) {
	if err := preflight(d, st); err != nil {
		return Plan{}, err
	}
	pl := &planner{d: d, st: st, o: o, plan: Plan{Stack: d.Stack}, done: map[string]int{}}
	pl.plan.Warnings = append(pl.plan.Warnings, d.Warnings...)
	pl.networks()
	pl.objects()
	if err := pl.services(); err != nil {
		return Plan{}, err
	}
	pl.removals()
	return pl.plan, nil
}

// planner builds one plan.
type planner struct {
	d    Desired
	st   Observed
	o    PlanOptions
	plan Plan
	// prep are the networks, secrets and configs created before services.
	prep []int
	// done maps a service to the action after which it exists as wanted
	// (its create or update, or its health wait).
	done map[string]int
}

func (pl *planner) add(a Action) int {
	pl.plan.Actions = append(pl.plan.Actions, a)
	return len(pl.plan.Actions) - 1
}

// networks creates the stack's missing networks. One that exists stays
// as it is: Swarm cannot change a network in place.
func (pl *planner) networks() {
	have := map[string]bool{}
	for _, n := range pl.st.Networks {
		have[n.Name] = true
	}
	for i := range pl.d.Networks {
		n := &pl.d.Networks[i]
		if !have[n.Name] {
			pl.prep = append(pl.prep, pl.add(Action{Op: OpCreateNetwork, Target: n.Name, Reason: "not found", Network: n}))
		}
	}
}

// objects creates the secrets and configs whose content-named object is
// missing.
func (pl *planner) objects() {
	haveSecret, haveConfig := map[string]bool{}, map[string]bool{}
	for _, s := range pl.st.Secrets {
		haveSecret[s.Spec.Name] = true
	}
	for _, c := range pl.st.Configs {
		haveConfig[c.Spec.Name] = true
	}
	for i := range pl.d.Secrets {
		if o := &pl.d.Secrets[i]; !o.External && !haveSecret[o.Name] {
			pl.prep = append(pl.prep, pl.add(Action{Op: OpCreateSecret, Target: o.Name, Reason: pl.objectReason(o.Key, pl.secretNames()), Object: o}))
		}
	}
	for i := range pl.d.Configs {
		if o := &pl.d.Configs[i]; !o.External && !haveConfig[o.Name] {
			pl.prep = append(pl.prep, pl.add(Action{Op: OpCreateConfig, Target: o.Name, Reason: pl.objectReason(o.Key, pl.configNames()), Object: o}))
		}
	}
}

// objectReason says whether a secret is new or its content changed.
func (pl *planner) objectReason(key string, existing []string) string {
	prefix := scoped(pl.d.Stack, key) + "-"
	for _, n := range existing {
		if strings.HasPrefix(n, prefix) {
			return "content changed"
		}
	}
	return "not found"
}

func (pl *planner) secretNames() []string {
	var out []string
	for _, s := range pl.st.Secrets {
		out = append(out, s.Spec.Name)
	}
	return out
}

func (pl *planner) configNames() []string {
	var out []string
	for _, c := range pl.st.Configs {
		out = append(out, c.Spec.Name)
	}
	return out
}

// observedService finds the stack's service of a name.
func (pl *planner) observedService(name string) (swarm.Service, bool) {
	for _, s := range pl.st.Services {
		if s.Spec.Name == name {
			return s, true
		}
	}
	return swarm.Service{}, false
}

// serviceOrder is the services in dependency order (dependencies first,
// by name among equals); a cycle is an error naming it.
func serviceOrder(d Desired) ([]*Service, error) {
	byName := map[string]*Service{}
	for i := range d.Services {
		byName[d.Services[i].Name] = &d.Services[i]
	}
	var out []*Service
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		s, ok := byName[name]
		if !ok || state[name] == 2 {
			return nil // a dependency outside the selection is the loader's to report
		}
		if state[name] == 1 {
			return fmt.Errorf("dependency cycle: %s", strings.Join(append(path, name), " -> "))
		}
		state[name] = 1
		for _, dep := range slices.Sorted(maps.Keys(s.DependsOn)) {
			if err := visit(dep, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, s)
		return nil
	}
	for _, s := range d.Services {
		if err := visit(s.Name, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// services creates or updates each service whose spec differs, after
// its dependencies (and, for service_healthy, after their tasks are
// healthy).
func (pl *planner) services() error {
	order, err := serviceOrder(pl.d)
	if err != nil {
		return err
	}
	for _, s := range order {
		after := slices.Clone(pl.prep)
		for _, dep := range slices.Sorted(maps.Keys(s.DependsOn)) {
			if i, ok := pl.done[dep]; ok {
				after = append(after, pl.waitFor(dep, i, s.DependsOn[dep]))
			}
		}
		a := Action{Op: OpCreateService, Target: s.Spec.Name, Reason: "not found", Service: s, After: after}
		if have, ok := pl.observedService(s.Spec.Name); ok {
			changed := changedFields(s.Digests, project.DecodeDigests(have.Spec.Labels[LabelDigests]))
			if len(changed) == 0 {
				continue
			}
			a.Op, a.ID, a.Version = OpUpdateService, have.ID, have.Version
			a.Reason = "config changed: " + strings.Join(changed, ", ")
			if have.Spec.Labels[LabelDigests] == "" {
				a.Reason = "not deployed by berth"
			}
		}
		pl.done[s.Name] = pl.add(a)
	}
	return nil
}

// waitFor is the action a dependent waits for: the dependency's create
// or update, or for service_healthy a health wait after it (one per
// dependency).
func (pl *planner) waitFor(dep string, i int, condition string) int {
	if condition != "service_healthy" || pl.plan.Actions[i].Op == OpWaitHealthy {
		return i
	}
	a := pl.plan.Actions[i]
	w := pl.add(Action{Op: OpWaitHealthy, Target: a.Target, Reason: "service_healthy", Service: a.Service, After: []int{i}})
	pl.done[dep] = w
	return w
}

// removals prunes the services the file dropped (--prune), then the
// networks, secrets and configs nothing that stays uses: old content
// versions of secrets and configs go once no service refers to them.
func (pl *planner) removals() {
	want := map[string]bool{}
	for _, s := range pl.d.Services {
		want[s.Spec.Name] = true
	}
	var kept []swarm.Service
	var removed []int
	for _, s := range pl.st.Services {
		switch {
		case want[s.Spec.Name]:
		case pl.o.Prune:
			removed = append(removed, pl.add(Action{Op: OpRemoveService, Target: s.Spec.Name, Reason: "not in the file (--prune)", ID: s.ID, After: pl.serviceActions()}))
			continue
		default:
			pl.plan.Warnings = append(pl.plan.Warnings, fmt.Sprintf("service %s is not in the file; --prune removes it", s.Spec.Name))
			kept = append(kept, s)
			continue
		}
	}
	used := pl.usedByKept(kept)
	after := append(pl.serviceActions(), removed...)
	pl.removeObjects(used, after)
	if pl.o.Prune {
		pl.removeNetworks(used, after)
	}
}

// serviceActions are the indexes of every service action so far.
func (pl *planner) serviceActions() []int {
	var out []int
	for i, a := range pl.plan.Actions {
		if a.Service != nil || a.Op == OpRemoveService {
			out = append(out, i)
		}
	}
	return out
}

// usedByKept are the names of networks, secrets and configs that the
// desired services, or observed ones left in place, refer to.
func (pl *planner) usedByKept(kept []swarm.Service) map[string]bool {
	used := map[string]bool{}
	specs := []swarm.ServiceSpec{}
	for _, s := range pl.d.Services {
		specs = append(specs, s.Spec)
	}
	for _, s := range kept {
		specs = append(specs, s.Spec)
	}
	for _, n := range pl.d.Networks {
		used[n.Name] = true
	}
	for _, s := range specs {
		for _, n := range s.TaskTemplate.Networks {
			used[n.Target] = true
		}
		if c := s.TaskTemplate.ContainerSpec; c != nil {
			for _, r := range c.Secrets {
				used[r.SecretName] = true
			}
			for _, r := range c.Configs {
				used[r.ConfigName] = true
			}
		}
	}
	return used
}

// removeObjects removes the stack's secrets and configs nothing uses.
func (pl *planner) removeObjects(used map[string]bool, after []int) {
	for _, s := range pl.st.Secrets {
		if !used[s.Spec.Name] {
			pl.add(Action{Op: OpRemoveSecret, Target: s.Spec.Name, Reason: pl.unusedReason(), ID: s.ID, After: after})
		}
	}
	for _, c := range pl.st.Configs {
		if !used[c.Spec.Name] {
			pl.add(Action{Op: OpRemoveConfig, Target: c.Spec.Name, Reason: pl.unusedReason(), ID: c.ID, After: after})
		}
	}
}

// unusedReason is why a secret or config goes: unused after a deploy,
// or nothing in a stack rm.
func (pl *planner) unusedReason() string {
	if pl.d.Stack == "" {
		return ""
	}
	return "no longer used"
}

// removeNetworks removes the stack's networks nothing uses.
func (pl *planner) removeNetworks(used map[string]bool, after []int) {
	for _, n := range pl.st.Networks {
		if !used[n.Name] {
			pl.add(Action{Op: OpRemoveNetwork, Target: n.Name, Reason: "no longer used (--prune)", ID: n.ID, After: after})
		}
	}
}

// NewRemovePlan removes the whole stack: services, then (once their
// tasks are gone) its networks, secrets and configs. Volumes stay: they
// are each node's, and hold data.
func NewRemovePlan(stack string, st Observed) Plan {
	pl := &planner{st: st, plan: Plan{Stack: stack}}
	var removed []int
	for _, s := range st.Services {
		removed = append(removed, pl.add(Action{Op: OpRemoveService, Target: s.Spec.Name, ID: s.ID}))
	}
	after := removed
	if len(removed) > 0 {
		after = []int{pl.add(Action{Op: OpWaitRemoved, Target: stack, After: removed})}
	}
	pl.removeObjects(map[string]bool{}, after)
	for _, n := range st.Networks {
		pl.add(Action{Op: OpRemoveNetwork, Target: n.Name, ID: n.ID, After: after})
	}
	return pl.plan
}
