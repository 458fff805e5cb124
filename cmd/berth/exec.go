package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/project"
)

type execOptions struct {
	detach, noTTY, privileged bool
	interactive               bool
	user, workdir             string
	env                       []string
	index                     int
}

func newExecCommand(a *app) *cobra.Command {
	var o execOptions
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short: "Execute a command in a running container",
		Long: `Execute a command in a running container

A pseudo-TTY is allocated when standard input is a terminal; -T disables it.
The exit code is the command's.`,
		Args:              cobra.MinimumNArgs(2),
		ValidArgsFunction: a.completeFirstService,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runExec(cmd.Context(), o, args[0], args[1:])
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after SERVICE belong to the command
	f.BoolVarP(&o.detach, "detach", "d", false, "Detached mode: Run command in the background")
	f.BoolVarP(&o.noTTY, "no-tty", "T", false, "Disable pseudo-TTY allocation. By default docker compose exec allocates a TTY.")
	f.SetNormalizeFunc(legacyNoTTY)
	f.BoolVarP(&o.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.BoolVar(&o.privileged, "privileged", false, "Give extended privileges to the process")
	f.StringVarP(&o.user, "user", "u", "", "Run the command as this user")
	f.StringVarP(&o.workdir, "workdir", "w", "", "Path to workdir directory for this command")
	f.StringArrayVarP(&o.env, "env", "e", nil, "Set environment variables")
	f.IntVar(&o.index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

// completeFirstService completes the service name, the first argument only.
func (a *app) completeFirstService(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	return a.completeServices(cmd, args, toComplete)
}

// runExec runs the command in the service's container and returns its exit
// code.
func (a *app) runExec(ctx context.Context, o execOptions, service string, command []string) error {
	eng, c, err := a.serviceContainer(ctx, service, o.index)
	if err != nil {
		return err
	}
	if c.State != engine.StateRunning {
		return fmt.Errorf("service %q is not running container #%d", service, atoiLabel(c))
	}
	ex := eng.Exec()
	if ex == nil {
		return errors.New("exec: the engine cannot run processes in containers")
	}
	tty := !o.noTTY && a.stdinIsTerminal()
	spec := engine.ExecSpec{Cmd: command, User: o.user, WorkingDir: o.workdir, Env: a.resolveEnv(o.env),
		Privileged: o.privileged, TTY: tty, Stdin: o.interactive && !o.detach, Detach: o.detach}
	id, err := ex.ExecCreate(ctx, c.ID, spec)
	if err != nil {
		return err
	}
	conn, err := ex.ExecStart(ctx, id, spec)
	if err != nil || o.detach {
		return err
	}
	resize := func(h, w uint) error { return ex.ExecResize(ctx, id, h, w) }
	if err := a.pump(ctx, conn, tty, resize); err != nil {
		return err
	}
	_, code, err := ex.ExecInspect(context.WithoutCancel(ctx), id)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// serviceContainer opens the project and finds the service's container
// for the commands that act on one (exec, attach, commit, export): replica
// index, or with index 0 the lowest numbered running replica, else a running
// one-off container of the service.
func (a *app) serviceContainer(ctx context.Context, service string, index int) (engine.Engine, engine.Container, error) {
	p, eng, err := a.open(ctx, service)
	if err != nil {
		return nil, engine.Container{}, err
	}
	c, err := findReplica(ctx, eng, p, service, index, true)
	if err != nil {
		return nil, engine.Container{}, err
	}
	return eng, c, nil
}

// findReplica finds the service's container: replica index (one-off
// containers have no index), or with index 0 the lowest numbered running
// replica, then (with oneOffs) a running one-off container, then the lowest
// numbered stopped replica, so that the caller can say which one is not
// running.
func findReplica(ctx context.Context, r engine.Reader, p *types.Project, service string, index int, oneOffs bool) (engine.Container, error) {
	var only *bool
	if !oneOffs {
		only = new(bool)
	}
	cs, err := r.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: []string{service}, OneOff: only})
	if err != nil {
		return engine.Container{}, err
	}
	best := -1
	for i, c := range cs {
		if index > 0 {
			if !isOneOff(c) && atoiLabel(c) == index {
				return c, nil
			}
			continue
		}
		if best < 0 || replicaBefore(c, cs[best]) {
			best = i
		}
	}
	if best < 0 || isOneOff(cs[best]) && cs[best].State != engine.StateRunning {
		if index > 0 {
			return engine.Container{}, fmt.Errorf("service %q is not running container #%d (it has no container with that index)", service, index)
		}
		return engine.Container{}, fmt.Errorf("service %q is not running", service)
	}
	return cs[best], nil
}

// replicaBefore orders the containers findReplica chooses from: running
// before stopped, then numbered replicas (lowest first) before one-offs.
func replicaBefore(x, y engine.Container) bool {
	if rx, ry := x.State == engine.StateRunning, y.State == engine.StateRunning; rx != ry {
		return rx
	}
	if ox, oy := isOneOff(x), isOneOff(y); ox != oy {
		return oy
	}
	return atoiLabel(x) < atoiLabel(y)
}

func isOneOff(c engine.Container) bool {
	return c.Labels[project.LabelOneOff] == "True"
}

func atoiLabel(c engine.Container) int {
	n, _ := strconv.Atoi(c.Labels[project.LabelNumber])
	return n
}

// resolveEnv completes -e KEY (no value) from berth's own environment, as
// Docker does; unset keys are left out.
func (a *app) resolveEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
		} else if v, ok := a.lookupEnv(kv); ok {
			out = append(out, kv+"="+v)
		}
	}
	return out
}

func (a *app) lookupEnv(key string) (string, bool) {
	for i := len(a.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(a.environ[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}
