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

	"berth/reconciler"
	"berth/watch"
)

// upOptions are the flags of `up`.
type upOptions struct {
	reconciler.UpOptions
	detach      bool
	scale       []string
	timeout     stopTimeout
	waitTimeout int
	quietPull   bool // no pull progress, only errors
	quietBuild  bool // no build output, only errors
	menu        bool // accepted: berth has no interactive menu
	watch       bool // --watch: attached, and the develop.watch rules run meanwhile
}

func newUpCommand(a *app) *cobra.Command {
	var o upOptions
	var ao attachOptions
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("remove-orphans") {
				o.RemoveOrphans = a.envBool("COMPOSE_REMOVE_ORPHANS")
			}
			return a.runUp(cmd.Context(), o, args, &ao)
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
	f.BoolVar(&o.quietBuild, "quiet-build", false, "Suppress the build output")
	f.BoolVar(&o.menu, "menu", a.envBool("COMPOSE_MENU"), "Enable interactive shortcuts when running attached (berth has none: accepted for Compose's command lines). Can also be set by COMPOSE_MENU")
	f.BoolVarP(&o.RecreateVolumes, "yes", "y", false, `Assume "yes" as answer to all prompts and run non-interactively`)
	f.StringArrayVar(&o.scale, "scale", nil, "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
	f.VarP(&o.timeout, "timeout", "t", "Use this timeout in seconds for container shutdown when attached or when containers are already running")
	f.BoolVar(&o.Wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	f.IntVar(&o.waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	f.BoolVarP(&o.watch, "watch", "w", false, "Watch source code and rebuild/refresh containers when files are updated.")
	ao.register(f)
	return cmd
}

// runUp converges the project, then follows it unless detached; ao nil
// means detached (create).
func (a *app) runUp(ctx context.Context, o upOptions, services []string, ao *attachOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	p, eng, err := a.openAll(ctx, services, true)
	if err != nil {
		return err
	}
	uo, err := o.resolve(p, services)
	if err != nil {
		return err
	}
	uo.AllResources = a.global.allResources
	if uo.IgnoreOrphans = ignoreOrphans(p); uo.IgnoreOrphans && uo.RemoveOrphans {
		return errors.New("cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans")
	}
	if uo.InjectKey, err = injectKey(p); err != nil {
		return err
	}
	if uo.ProxyEnv, err = a.proxyEnv(); err != nil {
		return err
	}
	if !uo.RecreateVolumes { // -y answers yes without asking
		uo.Confirm = a.confirm(ctx)
	}
	attached := ao != nil && !(o.detach || o.Wait || o.NoStart)
	var rules []watch.Rule
	if o.watch { // a rule that cannot work fails before anything is created
		if !attached {
			return errors.New("--watch needs attached up: it is incompatible with --detach, --wait and --no-start")
		}
		if rules, err = watch.Rules(p, services); err != nil {
			return err
		}
		ao.UntilStopped = true
	}
	if a.global.dryRun {
		if attached { // the plan shows the attaches too
			if uo.Attach, err = reconciler.AttachedServices(p, uo, ao.AttachOptions); err != nil {
				return err
			}
		}
		return a.printPlan(reconciler.PlanUp(ctx, eng, p, uo, a.applyOptions()))
	}
	if attached {
		return a.runUpAttached(ctx, eng, p, uo, *ao, quietOutput{pull: o.quietPull, build: o.quietBuild}, rules)
	}
	r := quietOutput{pull: o.quietPull, build: o.quietBuild}.filter(a.progressRenderer())
	_, err = reconciler.Up(ctx, eng, p, uo, a.applyOptions(), r)
	r.Close()
	return interrupted(ctx, err)
}

// ignoreOrphans reads COMPOSE_IGNORE_ORPHANS from the project's
// environment (.env included), as Docker Compose does.
func ignoreOrphans(p *types.Project) bool {
	b, _ := strconv.ParseBool(p.Environment["COMPOSE_IGNORE_ORPHANS"])
	return b
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
	return validPull(o.Pull)
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
	if ctx.Err() != nil && err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.Cause(ctx))) {
		return &exitError{code: 130, err: errors.New("canceled")}
	}
	return err
}
