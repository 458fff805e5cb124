package main

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/compose"
)

// loadProject loads the project the global flags and COMPOSE_* variables
// point at and prints the loader's warnings. services, when given, must name
// services of the project.
func (a *app) loadProject(ctx context.Context, services ...string) (*types.Project, error) {
	p, warnings, err := compose.Load(ctx, a.composeOptions(services))
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "WARN "+w.String())
	}
	return p, nil
}

// composeOptions gathers the loader's inputs from flags and environment.
func (a *app) composeOptions(services []string) compose.Options {
	return compose.Options{
		Files:            a.global.files,
		ProjectName:      a.global.projectName,
		ProjectDirectory: a.global.projectDirectory,
		EnvFiles:         a.global.envFiles,
		Profiles:         a.global.profiles,
		WorkingDir:       a.workingDir(),
		Environ:          a.environ,
		Stdin:            a.stdin,
		Services:         services,
	}
}
