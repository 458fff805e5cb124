package bench

import (
	"context"
	"fmt"

	"berth/bench/raw"
	"berth/project"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// Load reads the compose file at path as project name, the way every compose
// tool reads it.
func Load(ctx context.Context, path, name string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithName(name), cli.WithOsEnv)
	if err != nil {
		return nil, fmt.Errorf("bench: load %q: %w", path, err)
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: load %q: %w", path, err)
	}
	return p, nil
}

// NewPlan is the raw limit's plan for p: the containers, names, labels and
// network Docker Compose would create. imageIDs maps each image reference to
// its ID, which the image label carries.
func NewPlan(p *types.Project, imageIDs map[string]string) (raw.Plan, error) {
	order, err := project.StartOrder(p)
	if err != nil {
		return raw.Plan{}, fmt.Errorf("bench: %w", err)
	}
	plan := raw.Plan{
		Project: p.Name,
		Network: raw.Network{Name: project.NetworkName(p, "default"), Labels: project.NetworkLabels(p, "default")},
	}
	levels := Levels(p, order)
	for _, name := range order {
		s := p.Services[name]
		for n := 1; n <= project.Replicas(s); n++ {
			plan.Containers = append(plan.Containers, raw.Container{
				Name:    project.ContainerName(p.Name, s, n),
				Service: name,
				Image:   s.Image,
				Command: s.Command,
				Labels:  project.ContainerLabels(p, s, n, project.ConfigHash(s), imageIDs[s.Image]),
				Level:   levels[name],
				After:   after(p, s),
			})
		}
	}
	return plan, nil
}

// after names the containers of the services s depends on.
func after(p *types.Project, s types.ServiceConfig) []string {
	var names []string
	for _, dep := range project.Dependencies(s) {
		if d, ok := p.Services[dep]; ok {
			for n := 1; n <= project.Replicas(d); n++ {
				names = append(names, project.ContainerName(p.Name, d, n))
			}
		}
	}
	return names
}

// Levels gives each service its depth in the dependency graph: 0 for a
// service that depends on nothing, else one more than its deepest dependency.
// order must be a start order of p.
func Levels(p *types.Project, order []string) map[string]int {
	levels := map[string]int{}
	for _, name := range order {
		level := 0
		for _, dep := range project.Dependencies(p.Services[name]) {
			if l, ok := levels[dep]; ok && l+1 > level {
				level = l + 1
			}
		}
		levels[name] = level
	}
	return levels
}
