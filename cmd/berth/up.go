package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"berth/engine"
	"berth/reconciler"
)

// upOptions are the flags of `up`.
type upOptions struct {
	reconciler.UpOptions
	detach      bool
	scale       []string
	timeout     stopTimeout
	waitTimeout int
	quietPull   bool // berth never pulls: accepted for Compose's command lines
	yes         bool // berth asks nothing: accepted for Compose's command lines
}

// upAttached is the seam for attached `up` (without -d), filled in by the
// supervisor's file: it registers the attached-mode flags (--abort-on-
// container-exit, --exit-code-from, --attach, …) on the command and returns
// the function that runs once the project has converged. The plan's Replicas
// name the containers to follow. While it is nil, `up` runs detached.
var upAttached func(f *pflag.FlagSet) attachFunc

// attachFunc follows the converged project in the foreground.
type attachFunc func(ctx context.Context, a *app, eng engine.Engine, p *types.Project, plan reconciler.Plan) error

func newUpCommand(a *app) *cobra.Command {
	var o upOptions
	var attach attachFunc
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runUp(cmd.Context(), o, args, attach)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.detach, "detach", "d", false, "Detached mode: Run containers in the background")
	f.BoolVar(&o.Build, "build", false, "Build images before starting containers")
	f.BoolVar(&o.NoBuild, "no-build", false, "Don't build an image, even if it's policy")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration and image haven't changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVarP(&o.RenewAnonVolumes, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of retrieving data from the previous containers")
	f.BoolVar(&o.NoDeps, "no-deps", false, "Don't start linked services")
	f.BoolVar(&o.NoStart, "no-start", false, "Don't start the services after creating them")
	f.BoolVar(&o.AlwaysRecreateDeps, "always-recreate-deps", false, "Recreate dependent containers. Incompatible with --no-recreate.")
	f.StringVar(&o.Pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never")`)
	f.BoolVar(&o.quietPull, "quiet-pull", false, "Pull without printing progress information")
	f.BoolVarP(&o.yes, "yes", "y", false, `Assume "yes" as answer to all prompts and run non-interactively`)
	f.StringArrayVar(&o.scale, "scale", nil, "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
	f.VarP(&o.timeout, "timeout", "t", "Use this timeout in seconds for container shutdown when attached or when containers are already running")
	f.BoolVar(&o.Wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	f.IntVar(&o.waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	if upAttached != nil {
		attach = upAttached(f)
	}
	return cmd
}

// runUp converges the project, then attaches unless detached.
func (a *app) runUp(ctx context.Context, o upOptions, services []string, attach attachFunc) error {
	if err := o.validate(); err != nil {
		return err
	}
	p, eng, err := a.open(ctx)
	if err != nil {
		return err
	}
	uo, err := o.resolve(p, services)
	if err != nil {
		return err
	}
	if a.global.dryRun {
		return a.printPlan(reconciler.PlanUp(ctx, eng, p, uo))
	}
	if attach != nil && !(o.detach || o.Wait || o.NoStart) {
		// Attached: attach to each container before it starts and watch
		// events from before the first start (attach_up.go).
		eng = a.attachBeforeStart(ctx, eng, p, services)
	}
	r := a.progressRenderer()
	plan, err := reconciler.Up(ctx, eng, p, uo, reconciler.ApplyOptions{Parallel: a.global.parallel}, r)
	r.Close()
	if err != nil {
		return interrupted(ctx, err)
	}
	if o.detach || o.Wait || o.NoStart {
		return nil
	}
	if attach == nil {
		fmt.Fprintln(a.stderr, "WARN[0000] attached mode is not available in this build; the project runs detached")
		return nil
	}
	return attach(ctx, a, eng, p, plan)
}

// validate rejects flags that contradict each other or values up does not
// know, in Docker Compose's words.
func (o upOptions) validate() error {
	switch {
	case o.ForceRecreate && o.NoRecreate:
		return errors.New("--force-recreate and --no-recreate are incompatible")
	case o.AlwaysRecreateDeps && o.NoRecreate:
		return errors.New("--always-recreate-deps and --no-recreate are incompatible")
	case o.Build && o.NoBuild:
		return errors.New("--build and --no-build are incompatible")
	}
	switch o.Pull {
	case "", "policy", types.PullPolicyAlways, types.PullPolicyMissing, types.PullPolicyNever, types.PullPolicyBuild:
		return nil
	}
	return fmt.Errorf("invalid --pull option %q: want \"always\", \"missing\", \"never\" or \"build\"", o.Pull)
}

// resolve turns the flags into the reconciler's options.
func (o upOptions) resolve(p *types.Project, services []string) (reconciler.UpOptions, error) {
	uo := o.UpOptions
	uo.Services = services
	uo.Timeout = o.timeout.value()
	uo.WaitTimeout = time.Duration(o.waitTimeout) * time.Second
	for _, s := range o.scale {
		name, n, ok := strings.Cut(s, "=")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count < 0 {
			return uo, fmt.Errorf("invalid --scale %q: want SERVICE=NUM", s)
		}
		if _, ok := p.Services[name]; !ok {
			return uo, fmt.Errorf("no such service: %s", name)
		}
		if uo.Scale == nil {
			uo.Scale = map[string]int{}
		}
		uo.Scale[name] = count
	}
	return uo, nil
}

// printPlan prints what --dry-run would do: warnings on stderr, the plan
// on stdout, one action a line.
func (a *app) printPlan(plan reconciler.Plan, err error) error {
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintln(a.stderr, "WARN[0000] "+w)
	}
	if plan.Empty() {
		fmt.Fprintln(a.stderr, "DRY-RUN MODE - nothing to do")
		return nil
	}
	fmt.Fprint(a.stdout, plan.String())
	return nil
}

// interrupted maps a cancelled run (Ctrl-C) to exit code 130.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return &exitError{code: 130, err: errors.New("canceled")}
	}
	return err
}
