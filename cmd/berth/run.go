package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/reconciler"
)

// runFlags are the flags of `run`; reconciler.RunOptions holds what they
// mean for the one-off.
type runFlags struct {
	detach, rm, noDeps, servicePorts, noTTY, build, interactive bool
	name, entrypoint, user, workdir, pull                       string
	env, publish, volumes, labels                               []string
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
			ro := a.runOptions(o, args[0], args[1:])
			if cmd.Flags().Changed("entrypoint") {
				ro.Entrypoint = &o.entrypoint
			}
			return a.runRun(cmd.Context(), ro)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.BoolVarP(&o.detach, "detach", "d", false, "Run container in background and print container ID")
	f.BoolVar(&o.rm, "rm", false, "Automatically remove the container when it exits")
	f.BoolVar(&o.noDeps, "no-deps", false, "Don't start linked services")
	f.BoolVar(&o.servicePorts, "service-ports", false, "Run command with all service's ports enabled and mapped to the host")
	f.BoolVarP(&o.noTTY, "no-TTY", "T", false, "Disable pseudo-TTY allocation (default: auto-detected)")
	f.BoolVarP(&o.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
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

// runOptions are the flags as the reconciler takes them; what the
// terminal adds (a TTY) is resolved here, -e KEY without a value once the
// project is loaded (runRun).
func (a *app) runOptions(o runFlags, service string, command []string) reconciler.RunOptions {
	return reconciler.RunOptions{Service: service, Name: o.name, Slug: reconciler.NewSlug(),
		NoDeps: o.noDeps, Build: o.build, Pull: o.pull, Detach: o.detach, Remove: o.rm,
		Interactive: o.interactive, TTY: !o.noTTY && a.stdinIsTerminal(),
		Command: command, Env: o.env, User: o.user, Workdir: o.workdir,
		ServicePorts: o.servicePorts, Publish: o.publish, Volumes: o.volumes, Labels: o.labels}
}

// runRun starts the dependencies, creates the one-off container and runs
// it: in the background (-d, printing its name) or attached, returning the
// command's exit code.
func (a *app) runRun(ctx context.Context, o reconciler.RunOptions) error {
	p, eng, err := a.open(ctx, o.Service)
	if err != nil {
		return err
	}
	// -e KEY takes its value from the project's environment (the shell,
	// then .env), as in Docker Compose; a KEY set nowhere is left out.
	o.Env = resolveEnvFrom(o.Env, p.Environment)
	if o.InjectKey, err = injectKey(p); err != nil {
		return err
	}
	plan, spec, err := reconciler.RunPlan(ctx, eng, p, o)
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	if err := a.applyQuietly(ctx, eng, plan, spec.Name); err != nil {
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
func (a *app) applyQuietly(ctx context.Context, eng engine.Engine, plan reconciler.Plan, oneOff string) error {
	r := a.progressRenderer()
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

// resolveEnvFrom completes each -e KEY without a value from env; a KEY env
// does not set is dropped.
func resolveEnvFrom(entries []string, env types.Mapping) []string {
	var out []string
	for _, kv := range entries {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
		} else if v, ok := env[kv]; ok {
			out = append(out, kv+"="+v)
		}
	}
	return out
}
