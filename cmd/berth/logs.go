package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"berth/engine"
	"berth/reconciler"
)

// logsOptions are the flags of `logs`.
type logsOptions struct {
	follow, timestamps, noColor, noPrefix bool
	tail, since, until                    string
	index                                 int
}

func newLogsCommand(a *app) *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, services []string) error {
			return a.runLogs(cmd.Context(), o, services)
		},
		ValidArgsFunction: a.completeServices,
	}
	o.register(cmd.Flags())
	return cmd
}

// register declares the flags of logs.
func (o *logsOptions) register(f *pflag.FlagSet) {
	f.BoolVarP(&o.follow, "follow", "f", false, "Follow log output")
	f.BoolVarP(&o.timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.StringVarP(&o.tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	f.StringVar(&o.since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.StringVar(&o.until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.IntVar(&o.index, "index", 0, "index of the container if service has multiple replicas")
}

// runLogs prints the services' logs; with -f it keeps following them,
// through restarts and new replicas, until every container has stopped.
func (a *app) runLogs(ctx context.Context, o logsOptions, services []string) error {
	if o.index > 0 && len(services) != 1 {
		return errors.New("--index requires exactly one service")
	}
	p, eng, err := a.openReader(ctx, services...)
	if err != nil {
		return err
	}
	f := &follower{ctx: ctx, eng: eng, project: p.Name,
		printer: newLogPrinter(a.stdout, a.useColor(o.noColor), !o.noPrefix, false),
		logOpts: engine.LogOptions{Follow: o.follow, Tail: o.tail, Since: o.since, Until: o.until, Timestamps: o.timestamps}}
	f.printer.errOut = a.stderr // a container's stderr to berth's, as Docker Compose does
	var sv *reconciler.Supervisor
	if o.follow { // subscribe before listing, so a restart in between is seen
		sv = reconciler.Watch(ctx, eng, reconciler.SuperviseOptions{Project: p.Name, Services: services})
	}
	cs, err := logsContainers(ctx, eng, p, services, o.index)
	if err != nil {
		return err
	}
	for _, c := range cs {
		f.printer.fit(shortName(p.Name, c.Name))
	}
	for _, c := range cs {
		f.logs(c.ID, shortName(p.Name, c.Name), serviceOf(c), time.Time{})
		if sv != nil {
			followInspected(ctx, eng, sv, c)
		}
	}
	if sv != nil {
		if _, err := sv.Supervise(ctx, f.handle); err != nil && ctx.Err() == nil {
			return err
		}
	}
	f.wait(ctx)
	return nil
}

// followInspected hands c to the supervisor with its restart policy, restart
// count and finish time, which only an inspect reports. When the inspect
// fails (removed meanwhile), the listed fields are the best there is.
func followInspected(ctx context.Context, eng engine.Reader, sv *reconciler.Supervisor, c engine.Container) {
	if full, err := eng.InspectContainer(ctx, c.ID); err == nil {
		c = full
	}
	sv.Follow(reconciler.WatchedFrom(c, true))
}

// logsContainers lists the services' containers (replica index only, when
// given).
func logsContainers(ctx context.Context, eng engine.Reader, p *types.Project, services []string, index int) ([]engine.Container, error) {
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: services})
	if err != nil {
		return nil, fmt.Errorf("list containers of project %q: %w", p.Name, err)
	}
	if index <= 0 {
		return cs, nil
	}
	var out []engine.Container
	for _, c := range cs {
		if containerNumber(c) == strconv.Itoa(index) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("service %q has no container %d", services[0], index)
	}
	return out, nil
}
