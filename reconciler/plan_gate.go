package reconciler

import (
	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// gate returns the actions a dependent's start waits for, per the
// depends_on condition on service dep.
func (pl *planner) gate(dep, condition string) []int {
	return pl.gateOn(dep, condition, true)
}

// gateOn is gate for a dependency that may be optional: a wait only
// optional dependents (required: false) need stays optional.
func (pl *planner) gateOn(dep, condition string, required bool) []int {
	if i, ok := pl.providers[dep]; ok { // a provider's run has no condition to wait for
		return []int{i}
	}
	var out []int
	for _, name := range pl.replicas[dep] {
		var i int
		switch condition {
		case types.ServiceConditionHealthy:
			i = pl.waitHealthy(dep, name, required)
		case types.ServiceConditionCompletedSuccessfully:
			i = pl.waitExit(dep, name, required)
		default:
			i = pl.startOf(dep, name)
		}
		if i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

func (pl *planner) startOf(service, name string) int {
	if i, ok := pl.starts[service][name]; ok {
		return i
	}
	return -1
}

// waitHealthy adds (once) a wait for container name to report healthy, or
// returns -1 when it already is and nothing restarts it.
func (pl *planner) waitHealthy(service, name string, required bool) int {
	start := pl.startOf(service, name)
	if start < 0 && pl.byName[name].Health == engine.HealthHealthy {
		return -1
	}
	return pl.wait(OpWaitHealthy, service, name, start, required)
}

// waitExit adds (once) a wait for container name to exit with code 0, or
// returns -1 when it already has and nothing starts it again.
func (pl *planner) waitExit(service, name string, required bool) int {
	start := pl.startOf(service, name)
	c, seen := pl.byName[name]
	if start < 0 && seen && !isRunning(c) && c.ExitCode == 0 {
		return -1
	}
	return pl.wait(OpWaitExit, service, name, start, required)
}

func (pl *planner) wait(op Op, service, name string, start int, required bool) int {
	key := string(op) + " " + name
	if i, ok := pl.waits[key]; ok {
		if required {
			pl.plan.Actions[i].Optional = false
		}
		return i
	}
	a := Action{Op: op, Target: name, Service: service, Optional: !required}
	if start >= 0 {
		a.After = []int{start}
	}
	if pl.o.Wait {
		a.Timeout = pl.o.WaitTimeout
	}
	pl.waits[key] = pl.plan.add(a)
	return pl.waits[key]
}
