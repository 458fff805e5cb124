package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/engine/docker"
	"berth/imagebuild"
	"berth/project"
	"berth/reconciler"
	"berth/stack"
)

// newStackCommand is `berth stack`: the same compose file, deployed to a
// Docker Swarm with docker stack's names.
func newStackCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stack",
		Short: "Deploy the project to a Docker Swarm and manage its stacks",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newStackDeployCommand(a),
		newStackPsCommand(a),
		newStackServicesCommand(a),
		newStackLogsCommand(a),
		newStackRmCommand(a),
		newStackLsCommand(a),
	)
	return cmd
}

// stackDeployFlags are the flags of `stack deploy`.
type stackDeployFlags struct {
	prune       bool
	wait        bool
	waitTimeout time.Duration
}

func newStackDeployCommand(a *app) *cobra.Command {
	var o stackDeployFlags
	cmd := &cobra.Command{
		Use:   "deploy [OPTIONS] [STACK]",
		Short: "Build, push and deploy the project as a stack (the project name unless STACK is given)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.stackDeploy(cmd.Context(), args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.prune, "prune", false, "Remove services the file no longer has")
	f.BoolVar(&o.wait, "wait", false, "Wait until every task runs (and is healthy), or fail naming the task")
	f.DurationVar(&o.waitTimeout, "wait-timeout", 5*time.Minute, "How long --wait and the service_healthy waits may take")
	return cmd
}

// swarm connects to the engine as a Swarm manager would be asked.
func (a *app) swarm(ctx context.Context) (engine.Swarm, error) {
	e, err := docker.New(ctx, a.environ)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// loadStack loads the project, named STACK when given.
func (a *app) loadStack(ctx context.Context, args []string) (*types.Project, error) {
	o := a.composeOptions(nil)
	if len(args) > 0 {
		o.ProjectName = args[0]
	}
	return a.load(ctx, o)
}

// stackDeploy observes, builds, plans and applies; with --dry-run it
// prints the plan instead of applying it.
func (a *app) stackDeploy(ctx context.Context, args []string, o stackDeployFlags) error {
	p, err := a.loadStack(ctx, args)
	if err != nil {
		return err
	}
	sw, err := a.swarm(ctx)
	if err != nil {
		return err
	}
	st, err := stack.Observe(ctx, sw, p.Name)
	if err != nil {
		return err
	}
	if !st.Info.Manager {
		_, err := stack.NewPlan(stack.Desired{Stack: p.Name}, st, stack.PlanOptions{})
		return err
	}
	key, err := stackSecretKey(p)
	if err != nil {
		return err
	}
	// The plan before the builds: its preflight errors come before any
	// build or push.
	plan, err := a.stackPlan(ctx, p, st, stack.Options{SecretKey: key}, o, nil)
	if err != nil {
		return err
	}
	if !a.global.dryRun {
		if err := a.stackImages(ctx, p, st); err != nil {
			return err
		}
	}
	pin, err := a.pinImages(ctx, p, st)
	if err != nil {
		return err
	}
	if plan, err = a.stackPlan(ctx, p, st, stack.Options{SecretKey: key, Pin: pin}, o, a.stackWarnings); err != nil {
		return err
	}
	if a.global.dryRun {
		if len(plan.Actions) == 0 {
			fmt.Fprintln(a.stderr, "DRY-RUN MODE - nothing to do")
		}
		fmt.Fprint(a.stdout, plan.String())
		return nil
	}
	start := time.Now()
	err = stack.Apply(ctx, sw, plan, st, stack.ApplyOptions{HealthTimeout: o.waitTimeout}, a.stackProgress)
	if err != nil || !o.wait {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, o.waitTimeout)
	defer cancel()
	if err := stack.Wait(wctx, sw, p.Name, nil, start); err != nil {
		return fmt.Errorf("stack %s: %w", p.Name, err)
	}
	fmt.Fprintf(a.stderr, "Stack %s  Running\n", p.Name)
	return nil
}

// stackPlan resolves the project and plans the deploy; warn, when set,
// prints what the translation could not keep.
func (a *app) stackPlan(ctx context.Context, p *types.Project, st stack.Observed, ro stack.Options, o stackDeployFlags,
	warn func(stack.Desired, stack.Plan, stack.Observed)) (stack.Plan, error) {
	d, err := stack.Resolve(p, ro)
	if err != nil {
		return stack.Plan{}, err
	}
	plan, err := stack.NewPlan(d, st, stack.PlanOptions{Prune: o.prune})
	if err == nil && warn != nil {
		warn(d, plan, st)
	}
	return plan, err
}

// pinImages maps each service's image to its local ID on a one-node
// swarm, where the node runs what it has (stack.Options.Pin); on more
// nodes each pulls the image by name.
func (a *app) pinImages(ctx context.Context, p *types.Project, st stack.Observed) (map[string]string, error) {
	if len(st.Nodes) != 1 {
		return nil, nil
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return nil, err
	}
	pin := map[string]string{}
	for _, s := range p.Services {
		ref := project.ImageName(p, s)
		if img, err := eng.InspectImage(ctx, ref); err == nil {
			pin[ref] = img.ID
		}
	}
	return pin, nil
}

// stackSecretKey is the per-user key that keys the digests in secret
// names, loaded only when the stack creates secrets.
func stackSecretKey(p *types.Project) ([]byte, error) {
	for _, s := range p.Secrets {
		if !bool(s.External) {
			dir, err := os.UserConfigDir()
			if err != nil {
				return nil, fmt.Errorf("secrets need a key in the user's config directory: %w", err)
			}
			return loadOrCreateKey(filepath.Join(dir, "berth", "inject.key"))
		}
	}
	return nil, nil
}

// stackWarnings prints what the translation could not keep, the order
// depends_on gives only now, and ingress on an engine without IPVS.
func (a *app) stackWarnings(d stack.Desired, plan stack.Plan, st stack.Observed) {
	warn := func(s string) { fmt.Fprintln(a.stderr, "WARN "+s) }
	ordered := false
	for _, s := range d.Services {
		for _, w := range s.Warnings {
			warn(fmt.Sprintf("service %s: %s", s.Name, w))
		}
		ordered = ordered || len(s.DependsOn) > 0
	}
	for _, w := range plan.Warnings {
		warn(w)
	}
	if ordered {
		warn("depends_on orders this deploy only: Swarm does not keep that order when it restarts or reschedules tasks later")
	}
	if ipvsAvailable(a.environ) {
		return
	}
	if ingress := ingressServices(d); len(ingress) > 0 {
		warn(fmt.Sprintf("services %s publish ports through Swarm's ingress routing mesh, which needs IPVS; this machine's kernel has none, so those ports will refuse connections. Publish with mode: host in the long port syntax (ports: [{target: 80, published: 8080, mode: host}]), one task per node and port",
			strings.Join(ingress, ", ")))
	}
	if vip := vipServices(d); len(vip) > 0 {
		warn(fmt.Sprintf("services %s are reached by a virtual IP (endpoint_mode: vip, the default), which needs IPVS; this machine's kernel has none, so connections to them by service name hang. Use deploy: {endpoint_mode: dnsrr} (with host-mode ports)",
			strings.Join(vip, ", ")))
	}
}

// vipServices are the services other services may reach by their virtual
// IP: those in vip mode that another service depends on or shares a
// network with.
func vipServices(d stack.Desired) []string {
	var out []string
	for _, s := range d.Services {
		if e := s.Spec.EndpointSpec; (e == nil || e.Mode == "" || e.Mode == "vip") && len(d.Services) > 1 {
			out = append(out, s.Name)
		}
	}
	return out
}

// ingressServices are the services that publish a port in ingress mode.
func ingressServices(d stack.Desired) []string {
	var out []string
	for _, s := range d.Services {
		if e := s.Spec.EndpointSpec; e != nil {
			for _, p := range e.Ports {
				if p.PublishMode == "ingress" && p.PublishedPort != 0 {
					out = append(out, s.Name)
					break
				}
			}
		}
	}
	return out
}

// ipvsAvailable reports whether the routing mesh and virtual IPs can
// work: for an engine on this machine, whether the kernel has IPVS (the
// engine only logs its failure to program it). A remote engine is taken
// at its word.
func ipvsAvailable(environ []string) bool {
	ep, err := docker.ResolveEndpoint(environ)
	if err != nil || !strings.HasPrefix(ep.Host, "unix://") {
		return true
	}
	_, err = os.Stat("/proc/net/ip_vs")
	return err == nil
}

// stackImages builds the images of services with build: and pushes those
// that name one, so every node can pull it. On a one-node swarm a local
// image serves, with a warning when it could not be pushed or names no
// registry.
func (a *app) stackImages(ctx context.Context, p *types.Project, st stack.Observed) error {
	var build []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if p.Services[name].Build != nil {
			build = append(build, name)
		}
	}
	if len(build) == 0 {
		return nil
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return err
	}
	r := a.progressRenderer()
	_, err = imagebuild.Images(ctx, eng, p, build, imagebuild.Options{Parallel: a.global.parallel}, buildProgress(r))
	r.Close()
	if err != nil {
		return err
	}
	single := len(st.Nodes) <= 1
	for _, name := range build {
		s := p.Services[name]
		ref := project.ImageName(p, s)
		if s.Image == "" {
			if !single {
				return fmt.Errorf("service %q: build: without image: the other nodes cannot pull %s; name the image in a registry every node reaches (image: registry.example:5000/%s)", name, ref, ref)
			}
			fmt.Fprintf(a.stderr, "WARN service %s: image %s is built on this node only (no image: to push); fine on this one-node swarm, not on more nodes\n", name, ref)
			continue
		}
		err := a.push(ctx, eng, p, pushFlags{PushOptions: reconciler.PushOptions{Services: []string{name}}, quiet: true})
		switch {
		case err == nil:
		case single:
			fmt.Fprintf(a.stderr, "WARN service %s: push %s: %v; the local image serves this one-node swarm only\n", name, ref, err)
		default:
			return fmt.Errorf("service %q: push %s (every node must pull it): %w", name, ref, err)
		}
	}
	return nil
}

// stackProgress prints each action as docker stack deploy words it, with
// berth's reason.
func (a *app) stackProgress(act stack.Action, s stack.Status, detail string) {
	if s == stack.Warned {
		fmt.Fprintf(a.stderr, "WARN %s: %s\n", act.Target, strings.TrimSpace(detail))
		return
	}
	verb := map[stack.Op][2]string{
		stack.OpCreateNetwork: {"Creating network", "Network %s  Created"},
		stack.OpCreateSecret:  {"Creating secret", "Secret %s  Created"},
		stack.OpCreateConfig:  {"Creating config", "Config %s  Created"},
		stack.OpCreateService: {"Creating service", "Service %s  Created"},
		stack.OpUpdateService: {"Updating service", "Service %s  Updated"},
		stack.OpWaitHealthy:   {"Waiting for healthy tasks of", "Service %s  Healthy"},
		stack.OpWaitRemoved:   {"Waiting for the tasks of stack", "Tasks of stack %s  Removed"},
		stack.OpRemoveService: {"Removing service", "Service %s  Removed"},
		stack.OpRemoveSecret:  {"Removing secret", "Secret %s  Removed"},
		stack.OpRemoveConfig:  {"Removing config", "Config %s  Removed"},
		stack.OpRemoveNetwork: {"Removing network", "Network %s  Removed"},
	}[act.Op]
	if s == stack.Working {
		line := verb[0] + " " + act.Target
		if act.Reason != "" {
			line += " (" + act.Reason + ")"
		}
		fmt.Fprintln(a.stderr, line)
		return
	}
	fmt.Fprintf(a.stderr, verb[1]+"\n", act.Target)
}
