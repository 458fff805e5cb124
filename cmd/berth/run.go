package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/reconciler"
)

type runOptions struct {
	detach, rm, noDeps, servicePorts, noTTY, build, interactive bool
	name, entrypoint, user, workdir                             string
	env, publish, volumes, labels                               []string
}

func newRunCommand(a *app) *cobra.Command {
	var o runOptions
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
			return a.runRun(cmd.Context(), o, args[0], args[1:], cmd.Flags().Changed("entrypoint"))
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

// runRun starts the dependencies, creates the one-off container and runs
// it: in the background (-d, printing its name) or attached, returning the
// command's exit code.
func (a *app) runRun(ctx context.Context, o runOptions, service string, command []string, entrypoint bool) error {
	p, eng, err := a.open(ctx, service)
	if err != nil {
		return err
	}
	s, err := o.service(p, service, command, entrypoint, a)
	if err != nil {
		return err
	}
	st, err := reconciler.Observe(ctx, eng, p)
	if err != nil {
		return err
	}
	plan, spec, err := reconciler.NewRunPlan(p, st, reconciler.RunOptions{Name: o.name, Slug: newSlug(), NoDeps: o.noDeps, Build: o.build, Service: s,
		Interactive: o.interactive && !o.detach, AutoRemove: o.rm && o.detach})
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	if err := a.applyQuietly(ctx, eng, plan, spec.Name); err != nil {
		return err
	}
	if o.detach {
		if err := eng.StartContainer(ctx, spec.Name); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, spec.Name)
		return nil
	}
	return a.runAttached(ctx, eng, spec.Name, s.Tty, spec.StdinOnce, o.rm)
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
	err := reconciler.Apply(ctx, eng, plan, filtered, reconciler.ApplyOptions{Parallel: a.global.parallel})
	r.Close()
	return interrupted(ctx, err)
}

// service is the service as the one-off runs it, the flags applied.
func (o runOptions) service(p *types.Project, name string, command []string, entrypoint bool, a *app) (types.ServiceConfig, error) {
	s := p.Services[name]
	if len(command) > 0 {
		s.Command = command
	}
	if entrypoint {
		words, err := shellwords.Parse(o.entrypoint)
		if err != nil {
			return s, fmt.Errorf("invalid --entrypoint %q: %w", o.entrypoint, err)
		}
		s.Entrypoint = words
	}
	s.Environment = maps.Clone(s.Environment)
	if s.Environment == nil {
		s.Environment = types.MappingWithEquals{}
	}
	s.Environment.OverrideBy(types.NewMappingWithEquals(a.resolveEnv(o.env)))
	if o.user != "" {
		s.User = o.user
	}
	if o.workdir != "" {
		s.WorkingDir = o.workdir
	}
	if !o.servicePorts {
		s.Ports = nil
	}
	for _, spec := range o.publish {
		ports, err := types.ParsePortConfig(spec)
		if err != nil {
			return s, fmt.Errorf("invalid --publish %q: %w", spec, err)
		}
		s.Ports = append(s.Ports, ports...)
	}
	for _, spec := range o.volumes {
		v, err := format.ParseVolume(spec)
		if err != nil {
			return s, fmt.Errorf("invalid --volume %q: %w", spec, err)
		}
		s.Volumes = append(slices.Clone(s.Volumes), v)
	}
	s.Labels = maps.Clone(s.Labels)
	for _, l := range o.labels {
		s.Labels = s.Labels.Add(splitLabel(l))
	}
	s.Tty = !o.noTTY && !o.detach && a.stdinIsTerminal()
	s.StdinOpen = o.interactive
	s.Restart = "" // a one-off runs once
	s.Deploy = nil
	return s, nil
}

func splitLabel(l string) (string, string) {
	for i := range l {
		if l[i] == '=' {
			return l[:i], l[i+1:]
		}
	}
	return l, ""
}

// newSlug is the one-off's random ID, 64 hex digits like a container ID.
func newSlug() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	return hex.EncodeToString(b)
}

// runAttached attaches to the created container, starts it, follows its
// output until it exits and returns its exit code; with rm it then removes
// the container and its anonymous volumes.
func (a *app) runAttached(ctx context.Context, eng engine.Engine, name string, tty, stdin, rm bool) error {
	if rm {
		defer func() {
			_ = eng.RemoveContainer(context.WithoutCancel(ctx), name, engine.RemoveOptions{Force: true, Volumes: true})
		}()
	}
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
