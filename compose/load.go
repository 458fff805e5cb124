package compose

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

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
	p, found, err := loadModel(ctx, o, dir, configs, env, src)
	if err != nil {
		return nil, nil, err
	}
	p.ComposeFiles = files
	if p, err = selectServices(p, o.Services); err != nil {
		return nil, nil, err
	}
	return p, append(warnings, src.unsupportedWarnings(found, p)...), nil
}

// loadModel has compose-go load the project, unless the project cache
// holds it for this input. A load validates only input not validated
// before, and its result is stored for the next run.
func loadModel(ctx context.Context, o Options, dir string, configs []types.ConfigFile, env types.Mapping,
	src *sources) (*types.Project, []loader.UnsupportedAttribute, error) {
	cache, key := validCacheFile(o.Environ), validKey(o, configs, env)
	projects, pkey := projectCacheDir(cache), projectKey(key)
	if p, found, logs, ok := cachedProject(projects, pkey); ok {
		replayLogs(logs)
		return p, found, nil
	}
	if err := src.aliasesFirst(nil); err != nil {
		return nil, nil, err
	}
	var found []loader.UnsupportedAttribute
	skip := validated(cache, key)
	var p *types.Project
	logs, replayable, err := capturingLogs(func() (err error) {
		p, err = loader.LoadWithContext(ctx,
			types.ConfigDetails{WorkingDir: dir, ConfigFiles: configs, Environment: env},
			append(loaderOptions(o, dir, env, &found), func(lo *loader.Options) { lo.SkipValidation = skip })...)
		return err
	})
	if err != nil {
		return nil, nil, src.explain(err)
	}
	if !skip {
		rememberValid(cache, key)
	}
	if replayable {
		rememberProject(projects, pkey, p, found, logs)
	}
	return p, found, nil
}

// environment is what interpolation sees: the invocation's variables, then
// the env files (.env in the project directory unless --env-file is given);
// variables already set win, as in Docker Compose. compose-go's
// ProjectOptions assembles it and checks -p.
func environment(o Options, dir string) (types.Mapping, error) {
	envFiles := make([]string, len(o.EnvFiles))
	for i, f := range o.EnvFiles {
		envFiles[i] = abs(o.WorkingDir, f)
	}
	po, err := cli.NewProjectOptions(nil,
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(o.Environ),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithName(o.ProjectName),
	)
	if err != nil {
		return nil, err
	}
	return po.Environment, nil
}

// loaderOptions sets the project name with Docker Compose's precedence (-p,
// COMPOSE_PROJECT_NAME, name: in the files, the directory name), profiles,
// interpolation and the unsupported-key check.
func loaderOptions(o Options, dir string, env types.Mapping, found *[]loader.UnsupportedAttribute) []func(*loader.Options) {
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
		},
		loader.WithProfiles(o.Profiles),
		unsupportedCheck(found),
	}
}

// selectServices keeps the named services and what they depend on. Naming a
// service enables it even when its profile is not active.
func selectServices(p *types.Project, names []string) (*types.Project, error) {
	if len(names) == 0 {
		return p, nil
	}
	all := p.AllServices()
	known := slices.Sorted(maps.Keys(all))
	for _, n := range names {
		if _, ok := all[n]; !ok {
			return nil, fmt.Errorf("no such service: %s%s", strconv.Quote(n), didYouMean(n, known))
		}
	}
	p, err := p.WithServicesEnabled(names...)
	if err != nil {
		return nil, err
	}
	return p.WithSelectedServices(names)
}
