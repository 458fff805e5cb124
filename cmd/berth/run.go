package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"berth/engine"
	"berth/reconciler"
)

// runFlags are the flags of `run`; reconciler.RunOptions holds what they
// mean for the one-off.
type runFlags struct {
	detach, rm, noDeps, servicePorts, noTTY, tty, build, interactive bool
	name, entrypoint, user, workdir, pull                            string
	env, publish, volumes, labels                                    []string
	capAdd, capDrop, envFiles                                        []string
	quiet, quietBuild, quietPull, removeOrphans, useAliases          bool
}

func newRunCommand(a *app) *cobra.Command {
	var o runFlags
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
		Short: "Run a one-off command on a service",
		Long: `Run a one-off command on a service

The one-off container is named <project>-<service>-run-<id> and labelled
com.docker.compose.oneoff=True. The services it depends on are started first
unless --no-deps. The service's ports are not published unless
--service-ports or -p. The exit code is the command's.`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: a.completeFirstService,
		RunE: func(cmd *cobra.Command, args []string) error {
			tty, err := a.runTTY(cmd.Flags(), o)
			if err != nil {
				return err
			}
			ro, err := a.runOptions(o, args[0], args[1:])
			if err != nil {
				return err
			}
			ro.TTY = tty
			if cmd.Flags().Changed("entrypoint") {
				ro.Entrypoint = &o.entrypoint
			}
			if o.quiet {
				a.global.progress = "quiet"
			}
			return a.runRun(cmd.Context(), ro, quietOutput{pull: o.quietPull, build: o.quietBuild})
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.BoolVarP(&o.detach, "detach", "d", false, "Run container in background and print container ID")
	f.BoolVar(&o.rm, "rm", false, "Automatically remove the container when it exits")
	f.BoolVar(&o.noDeps, "no-deps", false, "Don't start linked services")
	f.BoolVarP(&o.servicePorts, "service-ports", "P", false, "Run command with all service's ports enabled and mapped to the host")
	f.BoolVarP(&o.noTTY, "no-tty", "T", false, "Disable pseudo-TTY allocation (default: auto-detected)")
	f.StringArrayVar(&o.capAdd, "cap-add", nil, "Add Linux capabilities")
	f.StringArrayVar(&o.capDrop, "cap-drop", nil, "Drop Linux capabilities")
	f.StringArrayVar(&o.envFiles, "env-from-file", nil, "Set environment variables from file")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	f.BoolVar(&o.quietBuild, "quiet-build", false, "Suppress progress output from the build process")
	f.BoolVar(&o.quietPull, "quiet-pull", false, "Pull without printing progress information")
	f.BoolVar(&o.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVar(&o.useAliases, "use-aliases", false, "Use the service's network aliases in the network(s) the container connects to (berth always does)")
	f.SetNormalizeFunc(runFlagSpellings)
	f.BoolVarP(&o.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	// -t is there for `run -it`, as with docker run; a TTY is the default.
	f.BoolVarP(&o.tty, "tty", "t", true, "Allocate a pseudo-TTY")
	_ = f.MarkHidden("tty") // the flag was just defined
	f.BoolVar(&o.build, "build", false, "Build image before starting container")
	f.StringVar(&o.pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never")`)
	f.StringVar(&o.name, "name", "", "Assign a name to the container")
	f.StringVar(&o.entrypoint, "entrypoint", "", "Override the entrypoint of the image")
	f.StringVarP(&o.user, "user", "u", "", "Run as specified username or uid")
	f.StringVarP(&o.workdir, "workdir", "w", "", "Working directory inside the container")
	f.StringArrayVarP(&o.env, "env", "e", nil, "Set environment variables")
	f.StringArrayVarP(&o.publish, "publish", "p", nil, "Publish a container's port(s) to the host")
	f.StringArrayVarP(&o.volumes, "volume", "v", nil, "Bind mount a volume")
	f.StringArrayVarP(&o.labels, "label", "l", nil, "Add or override a label")
	return cmd
}

// runOptions are the flags as the reconciler takes them; what berth's
// environment and terminal add (-e KEY without a value, a TTY) is
// resolved here.
func (a *app) runOptions(o runFlags, service string, command []string) (reconciler.RunOptions, error) {
	env, err := envFromFiles(o.envFiles, o.env)
	if err != nil {
		return reconciler.RunOptions{}, err
	}
	proxy, err := a.proxyEnv()
	if err != nil {
		return reconciler.RunOptions{}, err
	}
	return reconciler.RunOptions{Service: service, ProxyEnv: proxy, Name: o.name, Slug: reconciler.NewSlug(),
		NoDeps: o.noDeps, Build: o.build, Pull: o.pull, Detach: o.detach, Remove: o.rm,
		Interactive: o.interactive,
		Command:     command, Env: append(env, o.env...), User: o.user, Workdir: o.workdir,
		ServicePorts: o.servicePorts, Publish: o.publish, Volumes: o.volumes, Labels: o.labels,
		CapAdd: o.capAdd, CapDrop: o.capDrop, RemoveOrphans: o.removeOrphans}, nil
}

// runTTY decides whether the one-off gets a pseudo-TTY, as Docker Compose
// does. --tty or --no-tty, when given, say it (not both). Otherwise there
// is none when input comes from a pipe or a file, unless -i asks for
// input explicitly; and by default one only when the output is a terminal.
// A TTY asked for with input attached that is no terminal is refused
// before anything starts: the container's terminal would get no keys.
func (a *app) runTTY(f *pflag.FlagSet, o runFlags) (bool, error) {
	tty := a.stdoutIsTerminal()
	switch {
	case f.Changed("tty") && f.Changed("no-tty"):
		return false, fmt.Errorf("--tty and --no-tty can't be used together")
	case f.Changed("tty"):
		tty = o.tty
	case f.Changed("no-tty"):
		tty = !o.noTTY
	case !f.Changed("interactive") && !a.stdinIsTerminal():
		return false, nil
	}
	if tty && o.interactive && !a.stdinIsTerminal() {
		return false, errors.New("cannot attach stdin to a TTY-enabled container because stdin is not a terminal")
	}
	return tty, nil
}

// runFlagSpellings accepts the plural spellings Docker Compose takes for
// run's flags (--volumes, --labels) and --no-TTY.
func runFlagSpellings(f *pflag.FlagSet, name string) pflag.NormalizedName {
	switch name {
	case "volumes":
		name = "volume"
	case "labels":
		name = "label"
	}
	return legacyNoTTY(f, name)
}

// legacyNoTTY accepts -no-TTY, the flag's old spelling, as Docker Compose does.
func legacyNoTTY(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if name == "no-TTY" {
		name = "no-tty"
	}
	return pflag.NormalizedName(name)
}

// envFromFiles reads --env-from-file files as Docker Compose does: parsed
// as .env files are (quotes, comments, export, ${VAR}), a variable looked
// up only among the -e values given as K=V, and a key -e sets, or an
// earlier file set, left as it is. The result goes before -e's own values,
// which win.
func envFromFiles(files []string, flagEnv []string) ([]string, error) {
	given := map[string]string{}
	for _, kv := range flagEnv {
		if k, v, ok := strings.Cut(kv, "="); ok {
			given[k] = v
		}
	}
	lookup := func(k string) (string, bool) { v, ok := given[k]; return v, ok }
	seen := map[string]bool{}
	var env []string
	for _, f := range files {
		vars, err := parseEnvFile(f, lookup)
		if err != nil {
			return nil, fmt.Errorf("--env-from-file: %w", err)
		}
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			if _, set := given[k]; !set && !seen[k] {
				seen[k] = true
				env = append(env, k+"="+vars[k])
			}
		}
	}
	return env, nil
}

// parseEnvFile parses one --env-from-file file.
func parseEnvFile(path string, lookup dotenv.LookupFn) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars, err := dotenv.ParseWithLookup(f, lookup)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

// runRun starts the dependencies, creates the one-off container and runs
// it: in the background (-d, printing its name) or attached, returning the
// command's exit code.
func (a *app) runRun(ctx context.Context, o reconciler.RunOptions, quiet quietOutput) error {
	p, eng, err := a.open(ctx, o.Service)
	if err != nil {
		return err
	}
	o.IgnoreOrphans = ignoreOrphans(p)
	if o.InjectKey, err = injectKey(p); err != nil {
		return err
	}
	plan, spec, err := reconciler.RunPlan(ctx, eng, p, o)
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	if err := a.applyQuietly(ctx, eng, plan, spec.Name, quiet); err != nil {
		return err
	}
	if o.Detach {
		if err := eng.StartContainer(ctx, spec.Name); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, spec.Name)
		return nil
	}
	if o.RemoveOnExit() {
		defer func() { _ = reconciler.RemoveOneOff(ctx, eng, spec.Name) }()
	}
	return a.runAttached(ctx, eng, spec.Name, o.TTY, spec.StdinOnce) // attached: the terminal, when there is one
}

// applyQuietly applies the plan, showing the dependencies' progress but
// not the one-off's own create, as Docker Compose does.
func (a *app) applyQuietly(ctx context.Context, eng engine.Engine, plan reconciler.Plan, oneOff string, quiet quietOutput) error {
	r := quiet.filter(a.progressRenderer())
	for _, w := range plan.Warnings { // orphans
		r.Event(reconciler.ProgressEvent{Kind: "Warning", Status: "Warning", Line: w, Done: true})
	}
	filtered := reconciler.ProgressFunc(func(e reconciler.ProgressEvent) {
		if e.Name != oneOff || e.Err != nil {
			r.Event(e)
		}
	})
	err := reconciler.Apply(ctx, eng, plan, filtered, a.applyOptions())
	r.Close()
	return interrupted(ctx, err)
}

// runAttached attaches to the created container, starts it, follows its
// output until it exits and returns its exit code.
func (a *app) runAttached(ctx context.Context, eng engine.Engine, name string, tty, stdin bool) error {
	io := eng.Interactive()
	if io == nil {
		return errors.New("run: the engine cannot attach to containers")
	}
	conn, err := io.AttachStdio(ctx, name, stdin)
	if err != nil {
		return err
	}
	codes, errs := eng.WaitContainer(ctx, name)
	if err := eng.StartContainer(ctx, name); err != nil {
		conn.Close()
		return err
	}
	resize := func(h, w uint) error { return io.ResizeContainer(ctx, name, h, w) }
	if err := a.pump(ctx, conn, tty, resize); err != nil {
		return interrupted(ctx, err)
	}
	select {
	case code := <-codes:
		if code != 0 {
			return &exitError{code: code}
		}
		return nil
	case err := <-errs:
		return err
	case <-ctx.Done():
		return interrupted(ctx, ctx.Err())
	}
}
