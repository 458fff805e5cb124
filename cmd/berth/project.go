package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/compose"
	"berth/engine"
	"berth/reconciler"
)

// open is the prelude of every command that acts on a project's
// containers: it loads the project the global flags and COMPOSE_*
// variables point at (services, when given, must name services of it;
// an unknown one is an error naming the closest) and connects to the
// engine. The connection is made while the project loads, so the probe's
// round trip overlaps with the load instead of following it.
//
// When no compose file is found and the project is named (-p or
// COMPOSE_PROJECT_NAME), the project is the one the engine's objects
// carry the labels of, as Docker Compose does for these commands.
func (a *app) open(ctx context.Context, services ...string) (*types.Project, engine.Engine, error) {
	return a.openWith(ctx, a.composeOptions(services))
}

// openWith is open with the loader's options given.
func (a *app) openWith(ctx context.Context, o compose.Options) (*types.Project, engine.Engine, error) {
	services := o.Services
	go func() { _, _ = a.engine(ctx) }() // a.engine below waits for this same connection
	p, err := a.load(ctx, o)
	name := a.nameWithoutFile()
	if errors.Is(err, compose.ErrNoConfig) && name != "" {
		return a.openByName(ctx, name, services)
	}
	if err != nil {
		return nil, nil, err
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, eng, nil
}

// nameWithoutFile is the project name given without a file: -p, else
// COMPOSE_PROJECT_NAME.
func (a *app) nameWithoutFile() string {
	return cmp.Or(a.global.projectName, a.getenv("COMPOSE_PROJECT_NAME"))
}

// openByName is open for a project known by name only.
func (a *app) openByName(ctx context.Context, name string, services []string) (*types.Project, engine.Engine, error) {
	eng, err := a.engine(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := reconciler.ProjectByName(ctx, eng, name)
	if err != nil {
		return nil, nil, err
	}
	if p, err = reconciler.SelectByName(p, services); err != nil {
		return nil, nil, err
	}
	a.byName = true
	return p, eng, nil
}

// openAll is open for the commands that act on named services within the
// whole project (stop, restart, kill, pause, rm, down, start): the
// reconciler decides what else naming a service takes along (down the
// services that depend on it, restart those that asked with restart: true,
// start what it depends on), so the project keeps every service. The names
// are checked, and a named service whose profile is off has it activated.
//
// With envFiles, the named services (all when none is named) and what they
// depend on have their env_file read: a missing one of another service is
// no error. Without, none is read (down creates nothing).
func (a *app) openAll(ctx context.Context, services []string, envFiles bool) (*types.Project, engine.Engine, error) {
	o := a.composeOptions(nil)
	o.EnvFilesOf, o.SkipEnvFiles = services, !envFiles
	p, eng, err := a.openWith(ctx, o)
	if err != nil || len(services) == 0 {
		return p, eng, err
	}
	if a.byName {
		var gone []string
		for _, name := range services {
			if _, ok := p.Services[name]; !ok {
				gone = append(gone, name)
			}
		}
		if len(gone) > 0 {
			return nil, nil, &goneServicesError{names: gone}
		}
		return p, eng, nil
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
	// A named service activates its profiles, as in Docker Compose. The
	// project is loaded again with them, so that the services they enable
	// have their env_file and label_file read like the others.
	var profiles []string
	for _, name := range services {
		if s, ok := p.DisabledServices[name]; ok {
			profiles = append(profiles, s.Profiles...)
		}
	}
	if len(profiles) > 0 {
		o.Profiles = append(o.Profiles, profiles...)
		if p, _, err = compose.Load(ctx, o); err != nil { // its warnings were printed once
			return nil, nil, err
		}
	}
	return p, eng, nil
}

// openReader is open for the commands that only read: the engine they get
// cannot change anything. They create no container, so no env_file is
// read: a missing one is no error for them, as with Docker Compose.
func (a *app) openReader(ctx context.Context, services ...string) (*types.Project, engine.Reader, error) {
	o := a.composeOptions(services)
	o.SkipEnvFiles = true
	p, eng, err := a.openWith(ctx, o)
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
	fromEnv := false
	if len(files) == 0 {
		files = splitList(a.getenv("COMPOSE_FILE"), a.envOr("COMPOSE_PATH_SEPARATOR", string(os.PathListSeparator)))
		fromEnv = len(files) > 0
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
		Files:                files,
		FilesFromEnvironment: fromEnv,
		ProjectName:          a.global.projectName,
		ProjectDirectory:     a.global.projectDirectory,
		EnvFiles:             envFiles,
		Profiles:             profiles,
		WorkingDir:           a.workingDir(),
		Environ:              a.environ,
		Stdin:                a.stdin,
		Services:             services,
	}
}

// completeServices completes service names for commands that take them as
// arguments (ValidArgsFunction). It stays quiet when the project does not
// load: a shell completion cannot show errors.
func (a *app) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	o := a.composeOptions(nil)
	o.Profiles = append(o.Profiles, "*") // any service can be named
	o.SkipEnvFiles = true                // a missing env_file hides no name
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

// goneServicesError names services a project known by name has no
// container of: gone, or never there (without the file, berth cannot
// tell a typo from a removed service).
type goneServicesError struct{ names []string }

func (e *goneServicesError) Error() string {
	return fmt.Sprintf("no such service: %q", e.names[0])
}
