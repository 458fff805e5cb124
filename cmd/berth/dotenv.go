package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/spf13/cobra"
)

// composeFromDotEnv sets the COMPOSE_* variables the env files give (the
// --env-file files, else .env in the project directory: --project-directory,
// else the first -f file's directory, else the working directory) and the
// environment does not, before anything reads them, as Docker Compose
// does: COMPOSE_FILE, COMPOSE_PROFILES, COMPOSE_PROJECT_NAME,
// COMPOSE_PATH_SEPARATOR and the rest may live in .env. The variables go
// to this invocation's environment only, never to the process's.
func (a *app) composeFromDotEnv(cmd *cobra.Command) error {
	envFiles := a.global.envFiles
	if len(envFiles) == 0 {
		envFiles = splitList(a.getenv("COMPOSE_ENV_FILES"), ",")
	}
	po, err := cli.NewProjectOptions(a.global.files,
		cli.WithWorkingDirectory(a.global.projectDirectory),
		cli.WithEnv(a.environ),
		cli.WithEnvFiles(envFiles...),
	)
	if err != nil || len(po.EnvFiles) == 0 {
		return err
	}
	current := map[string]string{}
	for _, kv := range a.environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			current[k] = v
		}
	}
	fromFiles, err := dotenv.GetEnvFromFile(current, po.EnvFiles)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(fromFiles)) {
		if _, set := current[k]; !set && strings.HasPrefix(k, "COMPOSE_") {
			a.environ = append(slices.Clip(a.environ), k+"="+fromFiles[k])
		}
	}
	a.outputFlagsFromEnv(cmd)
	return nil
}

// outputFlagsFromEnv gives the output flags that were not given the
// defaults their variables now say.
func (a *app) outputFlagsFromEnv(cmd *cobra.Command) {
	f := cmd.Flags()
	if !f.Changed("progress") {
		a.global.progress = a.getenv("COMPOSE_PROGRESS")
	}
	if !f.Changed("ansi") {
		a.global.ansi = a.envOr("COMPOSE_ANSI", "auto")
	}
	if !f.Changed("parallel") {
		a.global.parallel = a.parallelDefault()
	}
}
