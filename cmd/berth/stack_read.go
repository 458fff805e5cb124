package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/swarm"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"berth/engine"
	"berth/stack"
)

// stackName is STACK when given, else the project's name (-p, or the
// compose file's).
func (a *app) stackName(ctx context.Context, args []string) (string, error) {
	if len(args) > 0 {
		return args[0], nil
	}
	if a.global.projectName != "" {
		return a.global.projectName, nil
	}
	p, err := a.loadStack(ctx, nil)
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

// openStack names the stack and connects to the manager.
func (a *app) openStack(ctx context.Context, args []string) (string, engine.Swarm, error) {
	name, err := a.stackName(ctx, args)
	if err != nil {
		return "", nil, err
	}
	sw, err := a.swarm(ctx)
	return name, sw, err
}

func newStackPsCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "ps [STACK]",
		Short: "List the tasks of a stack",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, sw, err := a.openStack(cmd.Context(), args)
			if err != nil {
				return err
			}
			return a.stackPs(cmd.Context(), sw, name)
		},
	}
}

// stackPs prints the tasks as docker stack ps does.
func (a *app) stackPs(ctx context.Context, sw engine.Swarm, name string) error {
	services, err := sw.ListServices(ctx, name)
	if err != nil {
		return err
	}
	tasks, err := sw.ListTasks(ctx, name)
	if err != nil {
		return err
	}
	nodes, err := sw.Nodes(ctx)
	if err != nil {
		return err
	}
	hosts := map[string]string{}
	for _, n := range nodes {
		hosts[n.ID] = n.Description.Hostname
	}
	byID := map[string]swarm.Service{}
	for _, s := range services {
		byID[s.ID] = s
	}
	sort.Slice(tasks, func(i, j int) bool {
		return taskLabel(byID, tasks[i]) < taskLabel(byID, tasks[j]) ||
			taskLabel(byID, tasks[i]) == taskLabel(byID, tasks[j]) && tasks[i].Status.Timestamp.After(tasks[j].Status.Timestamp)
	})
	w := tabwriter.NewWriter(a.stdout, 0, 4, 3, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tIMAGE\tNODE\tDESIRED STATE\tCURRENT STATE\tERROR")
	for _, t := range tasks {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", short(t.ID), taskLabel(byID, t), t.Spec.ContainerSpec.Image, hosts[t.NodeID],
			t.DesiredState, fmt.Sprintf("%s %s ago", t.Status.State, since(t.Status.Timestamp)), t.Status.Err)
	}
	return w.Flush()
}

func taskLabel(byID map[string]swarm.Service, t swarm.Task) string {
	name := byID[t.ServiceID].Spec.Name
	if t.Slot != 0 {
		return fmt.Sprintf("%s.%d", name, t.Slot)
	}
	return name + "." + short(t.NodeID)
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func since(t time.Time) string { return time.Since(t).Round(time.Second).String() }

func newStackServicesCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "services [STACK]",
		Short: "List the services of a stack",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, sw, err := a.openStack(cmd.Context(), args)
			if err != nil {
				return err
			}
			services, err := sw.ListServices(cmd.Context(), name)
			if err != nil {
				return err
			}
			sort.Slice(services, func(i, j int) bool { return services[i].Spec.Name < services[j].Spec.Name })
			w := tabwriter.NewWriter(a.stdout, 0, 4, 3, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS")
			for _, s := range services {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", short(s.ID), s.Spec.Name, serviceMode(s), serviceReplicas(s), s.Spec.TaskTemplate.ContainerSpec.Image, servicePorts(s))
			}
			return w.Flush()
		},
	}
}

func serviceMode(s swarm.Service) string {
	switch {
	case s.Spec.Mode.Global != nil:
		return "global"
	case s.Spec.Mode.ReplicatedJob != nil:
		return "replicated job"
	case s.Spec.Mode.GlobalJob != nil:
		return "global job"
	}
	return "replicated"
}

func serviceReplicas(s swarm.Service) string {
	if s.ServiceStatus == nil {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.ServiceStatus.RunningTasks, s.ServiceStatus.DesiredTasks)
}

func servicePorts(s swarm.Service) string {
	if s.Spec.EndpointSpec == nil {
		return ""
	}
	var out []string
	for _, p := range s.Spec.EndpointSpec.Ports {
		m := ""
		if p.PublishMode == swarm.PortConfigPublishModeHost {
			m = " (host)"
		}
		out = append(out, fmt.Sprintf("*:%d->%d/%s%s", p.PublishedPort, p.TargetPort, p.Protocol, m))
	}
	return strings.Join(out, ", ")
}

func newStackLsCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "ls",
		Short: "List the stacks on the swarm",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sw, err := a.swarm(cmd.Context())
			if err != nil {
				return err
			}
			services, err := sw.ListServices(cmd.Context(), "")
			if err != nil {
				return err
			}
			count := map[string]int{}
			for _, s := range services {
				if ns := s.Spec.Labels[stack.LabelNamespace]; ns != "" {
					count[ns]++
				}
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 3, ' ', 0)
			fmt.Fprintln(w, "NAME\tSERVICES")
			for _, name := range slices.Sorted(maps.Keys(count)) {
				fmt.Fprintf(w, "%s\t%d\n", name, count[name])
			}
			return w.Flush()
		},
	}
}

func newStackRmCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "rm [STACK...]",
		Aliases: []string{"down", "remove"},
		Short:   "Remove stacks: services, networks, secrets and configs (volumes stay)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				name, err := a.stackName(cmd.Context(), nil)
				if err != nil {
					return err
				}
				args = []string{name}
			}
			sw, err := a.swarm(cmd.Context())
			if err != nil {
				return err
			}
			for _, name := range args {
				if err := a.stackRm(cmd.Context(), sw, name); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// stackRm removes one stack; one that does not exist is said so.
func (a *app) stackRm(ctx context.Context, sw engine.Swarm, name string) error {
	st, err := stack.Observe(ctx, sw, name)
	if err != nil {
		return err
	}
	if !st.Info.Manager {
		_, err := stack.NewPlan(stack.Desired{Stack: name}, st, stack.PlanOptions{})
		return err
	}
	plan := stack.NewRemovePlan(name, st)
	if len(plan.Actions) == 0 {
		fmt.Fprintf(a.stderr, "Nothing found in stack: %s\n", name)
		return nil
	}
	if a.global.dryRun {
		fmt.Fprint(a.stdout, plan.String())
		return nil
	}
	return stack.Apply(ctx, sw, plan, st, stack.ApplyOptions{}, a.stackProgress)
}

// stackLogsFlags are the flags of `stack logs`.
type stackLogsFlags struct {
	follow     bool
	tail       string
	timestamps bool
}

func newStackLogsCommand(a *app) *cobra.Command {
	var o stackLogsFlags
	cmd := &cobra.Command{
		Use:   "logs [STACK] [SERVICE...]",
		Short: "Show the logs of a stack's services",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, sw, err := a.openStack(cmd.Context(), args[:min(1, len(args))])
			if err != nil {
				return err
			}
			var only []string
			if len(args) > 1 {
				only = args[1:]
			}
			return a.stackLogs(cmd.Context(), sw, name, only, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.follow, "follow", "f", false, "Follow log output")
	f.StringVarP(&o.tail, "tail", "n", "all", "Number of lines to show from the end of the logs")
	f.BoolVarP(&o.timestamps, "timestamps", "t", false, "Show timestamps")
	return cmd
}

// stackLogs prints the services' logs, each line prefixed with the
// compose service's name, as `berth logs` does.
func (a *app) stackLogs(ctx context.Context, sw engine.Swarm, name string, only []string, o stackLogsFlags) error {
	services, err := sw.ListServices(ctx, name)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	found := 0
	for _, s := range services {
		short := stack.ShortName(name, s.Spec.Name)
		if len(only) > 0 && !slices.Contains(only, short) {
			continue
		}
		found++
		g.Go(func() error {
			rc, err := sw.ServiceLogs(gctx, s.ID, engine.LogOptions{Follow: o.follow, Tail: o.tail, Timestamps: o.timestamps})
			if err != nil {
				return err
			}
			defer rc.Close()
			pr, pw := io.Pipe()
			go func() { _, err := stdcopy.StdCopy(pw, pw, rc); pw.CloseWithError(err) }()
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				mu.Lock()
				fmt.Fprintf(a.stdout, "%s  | %s\n", short, sc.Text())
				mu.Unlock()
			}
			return sc.Err()
		})
	}
	if len(only) > found {
		return fmt.Errorf("no such service in stack %s: %s", name, strings.Join(only, ", "))
	}
	return g.Wait()
}
