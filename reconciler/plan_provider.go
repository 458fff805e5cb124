package reconciler

import (
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/provider"
)

// A provider service is no container: its step is one run of the program
// its provider.type names (package provider). Up runs it before the
// services that depend on it are created, and they are created with the
// variables it set; stop and down run it after those services are
// stopped.
const (
	OpProviderUp   Op = "provider-up"
	OpProviderStop Op = "provider-stop"
	OpProviderDown Op = "provider-down"
)

// providerCommand is the provider command an action runs.
var providerCommand = map[Op]string{
	OpProviderUp:   provider.Up,
	OpProviderStop: provider.Stop,
	OpProviderDown: provider.Down,
}

func isProvider(s types.ServiceConfig) bool { return s.Provider != nil }

// planProvider adds the run of provider service s; dependents' creates and
// starts wait for it (providerGate).
func (pl *planner) planProvider(s types.ServiceConfig) {
	_, after := pl.providersOf(s) // a provider may need another's run
	pl.providers[s.Name] = pl.plan.add(Action{Op: OpProviderUp, Target: s.Name, Service: s.Name,
		Reason: "provider service", Provider: s.Provider, After: after})
}

// providersOf are the provider services s depends on that this plan runs,
// sorted: their variables go into s's containers, in that order.
func (pl *planner) providersOf(s types.ServiceConfig) (names []string, runs []int) {
	for _, dep := range slices.Sorted(maps.Keys(s.DependsOn)) {
		if i, ok := pl.providers[dep]; ok {
			names = append(names, dep)
			runs = append(runs, i)
		}
	}
	return names, runs
}

// planProviderHooks adds, for stop and down, the run of op for each
// provider service of p among services (all when empty), each after the
// stops of the services that depend on it and the actions of also.
func planProviderHooks(plan *Plan, p *types.Project, services []string, op Op, stops map[string][]int, also []int) {
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if !isProvider(s) || (len(services) > 0 && !slices.Contains(services, name)) {
			continue
		}
		plan.add(Action{Op: op, Target: name, Service: name, Provider: s.Provider, After: uniqueSorted(slices.Concat(dependentsStops(p, name, stops), also))})
	}
}
