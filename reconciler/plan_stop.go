package reconciler

import (
	"maps"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// planStops is the one "dependents first" stop planner: `stop`, `down`, `rm
// -s` and attached up's Ctrl-C all stop through it. It adds a stop for each
// container of bySvc (by service), each after the stops of the services that
// depend on its service, and returns the stops by service. grace nil means
// each container's own stop timeout.
func planStops(plan *Plan, p *types.Project, bySvc map[string][]engine.Container, grace *time.Duration) map[string][]int {
	stops := map[string][]int{}
	for _, svc := range stopOrder(p, bySvc) {
		after := dependentsStops(p, svc, stops)
		for _, c := range bySvc[svc] {
			stopAfter := after
			if hooks := preStopHooksOf(p, c); len(hooks) > 0 {
				stopAfter = []int{plan.add(Action{Op: OpPreStop, Target: c.Name, Service: svc, After: after, Hooks: hooks})}
			}
			stops[svc] = append(stops[svc], plan.add(Action{Op: OpStop, Target: c.Name, Service: svc, Grace: grace, After: stopAfter}))
		}
	}
	return stops
}

// stopOrder is the services to stop, dependents first: orphans (which
// nothing in the project needs) lead, sorted.
func stopOrder(p *types.Project, bySvc map[string][]engine.Container) []string {
	var order []string
	for _, svc := range slices.Sorted(maps.Keys(bySvc)) {
		if _, ok := p.Services[svc]; !ok {
			order = append(order, svc)
		}
	}
	stop, err := project.StopOrder(p)
	if err != nil {
		stop = slices.Sorted(maps.Keys(p.Services)) // a cycle cannot be started either
	}
	for _, svc := range stop {
		if len(bySvc[svc]) > 0 {
			order = append(order, svc)
		}
	}
	return order
}

// dependentsStops are the stops of the services that depend on svc.
func dependentsStops(p *types.Project, svc string, stops map[string][]int) []int {
	var after []int
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if _, ok := p.Services[name].DependsOn[svc]; ok {
			after = append(after, stops[name]...)
		}
	}
	return uniqueSorted(after)
}
