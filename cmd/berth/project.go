package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/compose"
	"berth/engine"
)

// loadProject loads the project the global flags and COMPOSE_* variables
// point at and prints the loader's warnings. services, when given, must name
// services of the project.
func (a *app) loadProject(ctx context.Context, services ...string) (*types.Project, error) {
	return a.loadWith(ctx, a.composeOptions(services))
}

// projectEngine loads the project (services, when given, must name
// services of it) and connects the engine: the start of every command that
// acts on what the project runs.
func (a *app) projectEngine(ctx context.Context, services ...string) (*types.Project, engine.Engine, error) {
	a.connectAhead(ctx)
	p, err := a.loadProject(ctx, services...)
	if err != nil {
		return nil, nil, err
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, eng, nil
}

// loadWith loads with options a command has adjusted (config's
// --no-interpolate) and prints the loader's warnings.
func (a *app) loadWith(ctx context.Context, o compose.Options) (*types.Project, error) {
	p, warnings, err := compose.Load(ctx, o)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "WARN "+w.String())
	}
	return p, nil
}

// composeOptions gathers the loader's inputs from flags and environment.
// A flag wins over its variable: -f over COMPOSE_FILE, --profile over
// COMPOSE_PROFILES, --env-file over COMPOSE_ENV_FILES. COMPOSE_PROJECT_NAME
// reaches the loader through the environment.
func (a *app) composeOptions(services []string) compose.Options {
	files := a.global.files
	if len(files) == 0 {
		files = splitList(a.getenv("COMPOSE_FILE"), a.envOr("COMPOSE_PATH_SEPARATOR", string(os.PathListSeparator)))
	}
	profiles := a.global.profiles
	if len(profiles) == 0 {
		profiles = splitList(a.getenv("COMPOSE_PROFILES"), ",")
	}
	envFiles := a.global.envFiles
	if len(envFiles) == 0 {
		envFiles = splitList(a.getenv("COMPOSE_ENV_FILES"), ",")
	}
	return compose.Options{
		Files:            files,
		ProjectName:      a.global.projectName,
		ProjectDirectory: a.global.projectDirectory,
		EnvFiles:         envFiles,
		Profiles:         profiles,
		WorkingDir:       a.workingDir(),
		Environ:          a.environ,
		Stdin:            a.stdin,
		Services:         services,
	}
}

// completeServices completes service names for commands that take them as
// arguments (ValidArgsFunction). It stays quiet when the project does not
// load: a shell completion cannot show errors.
func (a *app) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	o := a.composeOptions(nil)
	o.Profiles = append(o.Profiles, "*") // any service can be named
	p, _, err := compose.Load(cmd.Context(), o)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if strings.HasPrefix(name, toComplete) && !slices.Contains(args, name) {
			out = append(out, name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
