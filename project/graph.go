package project

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Dependencies are the services s must wait for, sorted. compose-go already
// folds links, network_mode: service:x and volumes_from into depends_on.
func Dependencies(s types.ServiceConfig) []string {
	return slices.Sorted(maps.Keys(s.DependsOn))
}

// WithDependents is names and every service that depends on one of them,
// directly or through others, along the depends_on entries follow accepts;
// sorted. `down db` takes down what needs db with it; `restart db` restarts
// what asked for it (restart: true), as Docker Compose does.
func WithDependents(p *types.Project, names []string, follow func(types.ServiceDependency) bool) []string {
	in := map[string]bool{}
	for _, n := range names {
		in[n] = true
	}
	for grown := true; grown; {
		grown = false
		for _, name := range slices.Sorted(maps.Keys(p.Services)) {
			if !in[name] && dependsOnAny(p.Services[name], in, follow) {
				in[name], grown = true, true
			}
		}
	}
	return slices.Sorted(maps.Keys(in))
}

func dependsOnAny(s types.ServiceConfig, in map[string]bool, follow func(types.ServiceDependency) bool) bool {
	for dep, d := range s.DependsOn {
		if in[dep] && follow(d) {
			return true
		}
	}
	return false
}

// StartOrder lists the services so that each comes after everything it depends
// on. It goes in passes: each pass places, alphabetically, every service whose
// dependencies are already placed, so the order is the same on every run.
// Dependencies on services that are not in p (disabled by a profile, or not
// required) are ignored. A cycle is an error naming it in order.
func StartOrder(p *types.Project) ([]string, error) {
	if c := Cycle(p); c != nil {
		return nil, fmt.Errorf("dependency cycle detected: %s", strings.Join(c, " -> "))
	}
	var order []string
	placed := map[string]bool{}
	names := slices.Sorted(maps.Keys(p.Services))
	for len(order) < len(names) {
		for _, name := range names {
			if placed[name] || !ready(p, name, placed) {
				continue
			}
			placed[name] = true
			order = append(order, name)
		}
	}
	return order, nil
}

// StopOrder is StartOrder reversed: dependents stop before what they need.
func StopOrder(p *types.Project) ([]string, error) {
	order, err := StartOrder(p)
	slices.Reverse(order)
	return order, err
}

func ready(p *types.Project, name string, placed map[string]bool) bool {
	for _, dep := range Dependencies(p.Services[name]) {
		if _, ok := p.Services[dep]; ok && !placed[dep] {
			return false
		}
	}
	return true
}

// Cycle returns a dependency cycle as a path that starts and ends with the
// same service ("a", "b", "a"), or nil. Services are visited in sorted order
// so the same project always reports the same cycle.
func Cycle(p *types.Project) []string {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(name string) []string {
		state[name] = visiting
		stack = append(stack, name)
		for _, dep := range Dependencies(p.Services[name]) {
			if _, ok := p.Services[dep]; !ok {
				continue
			}
			switch state[dep] {
			case visiting:
				i := slices.Index(stack, dep)
				return append(slices.Clone(stack[i:]), dep)
			case unvisited:
				if c := visit(dep); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if state[name] == unvisited {
			if c := visit(name); c != nil {
				return c
			}
		}
	}
	return nil
}
