package raw

import (
	"encoding/json"
	"fmt"
	"os"
)

// Plan is everything the raw limit needs to build a project's containers
// exactly as a compose tool would: the same names, labels and network.
type Plan struct {
	Project    string      `json:"project"`
	Network    Network     `json:"network"`
	Containers []Container `json:"containers"`
}

// Network is the project's default network.
type Network struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
}

// Container is one container of the plan. Level is its depth in the
// dependency graph: 0 depends on nothing, level n depends only on levels < n.
// After names the containers that must have started before it starts.
type Container struct {
	Name    string            `json:"name"`
	Service string            `json:"service"`
	Image   string            `json:"image"`
	Command []string          `json:"command"`
	Labels  map[string]string `json:"labels"`
	Level   int               `json:"level"`
	After   []string          `json:"after,omitempty"`
}

// Levels groups the containers of p by level, lowest first.
func (p Plan) Levels() [][]Container {
	var levels [][]Container
	for _, c := range p.Containers {
		for len(levels) <= c.Level {
			levels = append(levels, nil)
		}
		levels[c.Level] = append(levels[c.Level], c)
	}
	return levels
}

// ReadPlan reads a plan written by WritePlan.
func ReadPlan(path string) (Plan, error) {
	var p Plan
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("raw: read plan: %w", err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("raw: plan %q: %w", path, err)
	}
	return p, nil
}

// WritePlan writes p as JSON to path.
func WritePlan(path string, p Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("raw: encode plan: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("raw: write plan: %w", err)
	}
	return nil
}
