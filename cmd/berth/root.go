package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"berth/project"
)

// globalFlags are the flags every command shares, as Docker Compose has them.
type globalFlags struct {
	files            []string
	projectName      string
	projectDirectory string
	envFiles         []string
	profiles         []string
	progress         string
	ansi             string
	parallel         int
	dryRun           bool
	compatibility    bool
	allResources     bool
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "berth [OPTIONS] COMMAND",
		Short:         "Define and run multi-container applications with Docker",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Unknown commands are errors, not help pages: a root that runs
		// makes cobra check its arguments (NoArgs) instead of printing help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// The project flags belong to berth itself and come before the
		// command, as with Docker Compose: `berth -f a.yaml logs -f` reads
		// a.yaml and follows. So -f, -p … are free for the commands.
		TraverseChildren: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.composeFromDotEnv(cmd); err != nil {
				return err
			}
			// COMPOSE_COMPATIBILITY may come from .env, so it is read after it.
			if a.global.compatibility || a.envBool("COMPOSE_COMPATIBILITY") {
				project.UseCompatibilityNames()
			}
			return nil
		},
	}
	root.SetVersionTemplate("berth version {{.Version}}\n")
	f := root.Flags()
	f.StringArrayVarP(&a.global.files, "file", "f", nil, "Compose configuration files")
	f.StringVarP(&a.global.projectName, "project-name", "p", "", "Project name")
	f.StringVar(&a.global.projectDirectory, "project-directory", "", "Specify an alternate working directory\n(default: the path of the, first specified, Compose file)")
	f.StringArrayVar(&a.global.envFiles, "env-file", nil, "Specify an alternate environment file")
	f.StringArrayVar(&a.global.profiles, "profile", nil, "Specify a profile to enable")
	f.BoolVar(&a.global.compatibility, "compatibility", false, "Run compose in backward compatibility mode")
	f.BoolVar(&a.global.allResources, "all-resources", false, "Include all resources, even those not used by services")
	// The output and dry-run flags are also accepted after the command
	// (`berth up --dry-run`); they have no shorthand to clash with.
	f = root.PersistentFlags()
	// COMPOSE_PROGRESS, COMPOSE_ANSI and COMPOSE_PARALLEL_LIMIT are the
	// defaults of their flags; a flag given on the command line wins.
	f.StringVar(&a.global.progress, "progress", a.getenv("COMPOSE_PROGRESS"), `Set type of progress output ("auto", "tty", "plain", "json", "quiet")`)
	f.StringVar(&a.global.ansi, "ansi", a.envOr("COMPOSE_ANSI", "auto"), `Control when to print ANSI control characters ("never"|"always"|"auto")`)
	f.IntVar(&a.global.parallel, "parallel", a.parallelDefault(), "Control max parallelism, -1 for unlimited")
	f.BoolVar(&a.global.dryRun, "dry-run", false, "Execute command in dry run mode")
	root.AddCommand(a.commandList()...)
	return root
}

// envOr is the variable's value, or def when it is unset or empty.
func (a *app) envOr(key, def string) string {
	if v := a.getenv(key); v != "" {
		return v
	}
	return def
}

// envBool is a boolean variable (strconv's spellings); unset or invalid
// is false.
func (a *app) envBool(key string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(a.getenv(key)))
	return b
}

// parallelDefault reads COMPOSE_PARALLEL_LIMIT; a value that is not a
// positive number means unlimited (-1).
func (a *app) parallelDefault() int {
	n, err := strconv.Atoi(strings.TrimSpace(a.getenv("COMPOSE_PARALLEL_LIMIT")))
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

// splitList splits a COMPOSE_* list variable; empty parts are dropped.
func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
