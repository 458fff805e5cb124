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

// open is the prelude of every command that acts on a project's
// containers: it loads the project the global flags and COMPOSE_*
// variables point at (services, when given, must name services of it;
// an unknown one is an error naming the closest) and connects to the
// engine. The connection is made while the project loads, so the probe's
// round trip overlaps with the load instead of following it.
func (a *app) open(ctx context.Context, services ...string) (*types.Project, engine.Engine, error) {
	go func() { _, _ = a.engine(ctx) }() // a.engine below waits for this same connection
	p, err := a.load(ctx, a.composeOptions(services))
	if err != nil {
		return nil, nil, err
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, eng, nil
}

// openAll is open for the commands that act on named services within the
// whole project (stop, restart, kill, pause, rm, down, start): the
// reconciler decides what else naming a service takes along (down the
// services that depend on it, restart those that asked with restart: true,
// start what it depends on), so the project keeps every service. The names
// are checked, and a named service whose profile is off is enabled.
func (a *app) openAll(ctx context.Context, services []string) (*types.Project, engine.Engine, error) {
	p, eng, err := a.open(ctx)
	if err != nil || len(services) == 0 {
		return p, eng, err
	}
	all := p.AllServices()
	for _, name := range services {
		if _, ok := all[name]; !ok {
			// The loader words this error (with the closest name) when
			// asked to select the services.
			if _, err := a.load(ctx, a.composeOptions(services)); err != nil {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("no such service: %s", name)
		}
	}
	if p, err = p.WithServicesEnabled(services...); err != nil {
		return nil, nil, err
	}
	return p, eng, nil
}

// openReader is open for the commands that only read: the engine they get
// cannot change anything.
func (a *app) openReader(ctx context.Context, services ...string) (*types.Project, engine.Reader, error) {
	p, eng, err := a.open(ctx, services...)
	if err != nil {
		return nil, nil, err
	}
	return p, eng, nil
}

// load loads the project alone, for the commands that need no engine
// (config, build --dry-run), and prints the loader's warnings.
func (a *app) load(ctx context.Context, o compose.Options) (*types.Project, error) {
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
