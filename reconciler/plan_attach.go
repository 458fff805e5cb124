package reconciler

import "slices"

// OpAttach opens a container's output stream for attached `up`. It comes
// before the container's start, so the first line and a quick exit are never
// missed; a replica the plan leaves running is attached from now on.
const OpAttach Op = "attach"

// planAttaches adds the attaches of the services o.Attach names: each of
// their starts waits for an attach, which waits for what makes the container
// ready to attach to (its create, or the stop before a restart); a replica
// the plan leaves running is attached with nothing to wait for. Starts keep
// their dependency gates, so a container is attached early and started
// when its dependencies allow.
func (pl *planner) planAttaches() {
	if len(pl.o.Attach) == 0 {
		return
	}
	old := pl.plan.Actions
	index := make([]int, len(old)) // old index → new index
	var out []Action
	for i, a := range old {
		if a.Op == OpStart && slices.Contains(pl.o.Attach, a.Service) {
			out = append(out, Action{Op: OpAttach, Target: a.Target, Service: a.Service,
				After: slices.DeleteFunc(slices.Clone(a.After), func(d int) bool { return old[d].Target != a.Target })})
		}
		index[i] = len(out)
		out = append(out, a)
	}
	for i := range out {
		out[i].After, out[i].Soft = renumber(out[i].After, index), renumber(out[i].Soft, index)
		if out[i].Op == OpStart && i > 0 && out[i-1].Op == OpAttach && out[i-1].Target == out[i].Target {
			out[i].After = uniqueSorted(append(slices.DeleteFunc(out[i].After, func(d int) bool { return out[d].Target == out[i].Target }), i-1))
		}
	}
	pl.plan.Actions = out
	pl.attachRunning()
}

// attachRunning attaches the running replicas the plan neither starts nor
// stops: their output is shown from now on.
func (pl *planner) attachRunning() {
	touched := map[string]bool{}
	for _, a := range pl.plan.Actions {
		touched[a.Target] = true
	}
	for _, svc := range slices.Sorted(slices.Values(pl.o.Attach)) {
		for _, name := range pl.replicas[svc] {
			if c, ok := pl.byName[name]; ok && !touched[name] && isRunning(c) {
				pl.plan.add(Action{Op: OpAttach, Target: name, Service: svc, Reason: "running"})
			}
		}
	}
}

// renumber maps action indexes through index, keeping their order.
func renumber(deps []int, index []int) []int {
	if len(deps) == 0 {
		return nil
	}
	out := make([]int, len(deps))
	for j, d := range deps {
		out[j] = index[d]
	}
	return out
}
