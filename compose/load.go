package compose

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// panicked starts the error Load returns when the loader panicked, so the
// fuzz test can tell a recovered panic from an ordinary error.
const panicked = "compose: the loader failed on this input"

// Load reads the project the options point at. compose-go does the loading
// (interpolation, merge, extends, include, profiles, schema), so berth reads
// compose files as Docker Compose does; Load adds file discovery from the
// given working directory, file:line:col in errors, and warnings for keys
// berth does not apply. It never panics: a panic in the loader comes back as
// an error.
func Load(ctx context.Context, o Options) (p *types.Project, warnings []Warning, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, warnings, err = nil, nil, fmt.Errorf("%s: %v", panicked, r)
		}
	}()
	if o.WorkingDir == "" {
		if o.WorkingDir, err = os.Getwd(); err != nil {
			return nil, nil, fmt.Errorf("compose: working directory: %w", err)
		}
	}
	files, warnings, err := configFiles(o)
	if err != nil {
		return nil, nil, err
	}
	src := newSources(o.WorkingDir)
	configs, err := readFiles(o, files, src)
	if err != nil {
		return nil, nil, err
	}
	dir := projectDir(o, files)
	env, err := environment(o, dir)
	if err != nil {
		return nil, nil, src.aliasesFirst(err)
	}
	p, err = loadModel(ctx, o, dir, configs, env, src)
	if err != nil {
		return nil, nil, err
	}
	p.ComposeFiles = files
	if p, err = selectServices(p, o.Services); err != nil {
		return nil, nil, err
	}
	if p, err = resolveFilesOf(p, o); err != nil {
		return nil, nil, src.explain(err)
	}
	return p, append(warnings, src.unsupportedWarnings(p)...), nil
}

// loadModel has compose-go load the project, unless the project cache holds
// it for this input (projectcache.go). Validation is skipped when the
// validation cache says this input passed it before (validcache.go). A load
// that read only what the caches can key, with every variable it looked up
// unset, is remembered by both (trace.names). A stored project came from
// these very bytes, so their aliases passed the check.
func loadModel(ctx context.Context, o Options, dir string, configs []types.ConfigFile, env types.Mapping,
	src *sources) (*types.Project, error) {
	cache, input := validCacheFile(o.Environ), inputKey(o, dir, configs)
	stored := projectFile(cache, input)
	p, hit, probed := cachedProject(stored, env)
	if hit {
		return p, nil
	}
	if err := src.aliasesFirst(nil); err != nil {
		return nil, err
	}
	skip := validated(cache, input, env)
	t := newTrace()
	_, named := env[consts.ComposeProjectName] // loaderOptions reads it
	t.record(consts.ComposeProjectName, named)
	logged, err := observingLogs(func() (err error) {
		p, err = loader.LoadWithContext(ctx,
			types.ConfigDetails{WorkingDir: dir, ConfigFiles: configs, Environment: env},
			append(loaderOptions(o, dir, env), t.option, func(lo *loader.Options) { lo.SkipValidation = skip })...)
		return err
	})
	if err != nil {
		return nil, src.explain(err)
	}
	if !logged {
		if !skip {
			rememberValid(cache, input, t)
		}
		rememberProject(stored, t, p, probed, func() (*types.Project, error) {
			return probeLoad(ctx, o, dir, configs, env)
		})
	}
	return p, nil
}

// probeLoad loads the project again, without validating it, with every
// value of env marked (probeMark) where compose-go reads env itself, while
// interpolation sees the true values; see projectcache.go.
func probeLoad(ctx context.Context, o Options, dir string, configs []types.ConfigFile, env types.Mapping) (*types.Project, error) {
	marked := make(types.Mapping, len(env))
	for k, v := range env {
		marked[k] = v + probeMark
	}
	return loader.LoadWithContext(ctx,
		types.ConfigDetails{WorkingDir: dir, ConfigFiles: configs, Environment: marked},
		append(loaderOptions(o, dir, env), func(lo *loader.Options) {
			lo.SkipValidation = true
			lo.Interpolate.LookupValue = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		})...)
}

// environment is what interpolation sees: the invocation's variables, then
// the env files; variables already set win, as in Docker Compose. Without
// --env-file, Compose reads two .env files: the one where berth was pointed
// (--project-directory, else the first -f file's directory, else the
// working directory), then the project directory's, when that is another
// one (COMPOSE_FILE in the first .env names files elsewhere). compose-go's
// ProjectOptions assembles it and checks -p.
func environment(o Options, dir string) (types.Mapping, error) {
	envFiles := make([]string, len(o.EnvFiles))
	for i, f := range o.EnvFiles {
		envFiles[i] = abs(o.WorkingDir, f)
	}
	first := o.WorkingDir
	if !o.FilesFromEnvironment {
		first = projectDir(o, filesOf(o))
	} else if o.ProjectDirectory != "" {
		first = abs(o.WorkingDir, o.ProjectDirectory)
	}
	environ := o.Environ
	if first != dir {
		env, err := dotEnv(environ, first, envFiles, "")
		if err != nil {
			return nil, err
		}
		environ = env.Values()
	}
	return dotEnv(environ, dir, envFiles, o.ProjectName)
}

// dotEnv is environ with the env files (.env in dir when none is given).
func dotEnv(environ []string, dir string, envFiles []string, name string) (types.Mapping, error) {
	po, err := cli.NewProjectOptions(nil,
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(environ),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithName(name),
	)
	if err != nil {
		return nil, err
	}
	return po.Environment, nil
}

// filesOf is the -f files as paths, "-" kept.
func filesOf(o Options) []string {
	files := make([]string, len(o.Files))
	for i, f := range o.Files {
		files[i] = abs(o.WorkingDir, f)
	}
	return files
}

// loaderOptions sets the project name with Docker Compose's precedence (-p,
// COMPOSE_PROJECT_NAME, name: in the files, the directory name), profiles,
// and interpolation.
func loaderOptions(o Options, dir string, env types.Mapping) []func(*loader.Options) {
	return []func(*loader.Options){
		func(lo *loader.Options) {
			switch {
			case o.ProjectName != "":
				lo.SetProjectName(o.ProjectName, true)
			case env[consts.ComposeProjectName] != "":
				lo.SetProjectName(env[consts.ComposeProjectName], true)
			default:
				// name: in a file, when present, replaces this guess.
				lo.SetProjectName(loader.NormalizeProjectName(filepath.Base(dir)), false)
			}
			lo.SkipInterpolation = o.NoInterpolate
			lo.SkipNormalization = o.NoNormalize
			lo.ResolvePaths = !o.NoResolvePaths
			lo.SkipConsistencyCheck = o.NoConsistency
			// resolveFiles reads env_file and label_file once the
			// services are selected.
			lo.SkipResolveEnvironment, lo.SkipResolveLabels = true, true
		},
		loader.WithProfiles(o.Profiles),
	}
}

// selectServices keeps the named services and what they depend on. Naming a
// service enables it even when its profile is not active, as Docker Compose
// activates the profiles of services named on the command line. It runs
// before resolveFiles, so a named service's env_file and label_file are
// read like those of any enabled service.
func selectServices(p *types.Project, names []string) (*types.Project, error) {
	if len(names) == 0 {
		return p, nil
	}
	all := p.AllServices()
	known := slices.Sorted(maps.Keys(all))
	for _, n := range names {
		if _, ok := all[n]; !ok {
			return nil, fmt.Errorf("no such service: %s%s", n, didYouMean(n, known))
		}
	}
	p, err := p.WithServicesEnabled(names...)
	if err != nil {
		return nil, err
	}
	return p.WithSelectedServices(names)
}

// resolveFilesOf is resolveFiles for the services o asks it for: all, none
// (SkipEnvFiles) or EnvFilesOf and what they depend on.
func resolveFilesOf(p *types.Project, o Options) (*types.Project, error) {
	switch {
	case o.SkipEnvFiles:
		return p, nil
	case len(o.EnvFilesOf) == 0:
		return resolveFiles(p)
	}
	// A name that is no service is for the caller to word; here it only
	// reads no file.
	names := slices.DeleteFunc(slices.Clone(o.EnvFilesOf), func(n string) bool { _, ok := p.Services[n]; return !ok })
	if len(names) == 0 {
		return p, nil
	}
	some, err := p.WithSelectedServices(names)
	if err != nil {
		return nil, err
	}
	if some, err = resolveFiles(some); err != nil {
		return nil, err
	}
	out := *p
	out.Services = maps.Clone(p.Services)
	maps.Copy(out.Services, some.Services)
	return &out, nil
}

// resolveFiles reads the env_file and label_file of the enabled services,
// the last steps of compose-go's own load, in its order. compose-go visits
// the services in map order; when several fail, the error is the first
// service's in name order, so the same files always give the same error.
func resolveFiles(p *types.Project) (*types.Project, error) {
	r, err := resolveAll(p)
	if err == nil {
		return r, nil
	}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		one := *p
		one.Services = types.Services{name: p.Services[name]}
		if _, err := resolveAll(&one); err != nil {
			return nil, err
		}
	}
	return nil, err
}

// resolveAll merges each env_file into environment and drops env_file, as
// Docker Compose loads a project: the config hash and `config` see the
// merged environment only.
func resolveAll(p *types.Project) (*types.Project, error) {
	p, err := p.WithServicesEnvironmentResolved(true)
	if err != nil {
		return nil, err
	}
	return p.WithServicesLabelsResolved(false)
}
