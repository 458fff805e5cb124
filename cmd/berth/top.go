package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"berth/engine"

	"github.com/spf13/cobra"
)

func newTopCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:               "top [SERVICES...]",
		Short:             "Display the running processes",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runTop(cmd.Context(), args)
		},
	}
}

// runTop prints each running container's processes under its name.
func (a *app) runTop(ctx context.Context, services []string) error {
	eng, cs, err := a.readContainers(ctx, services)
	if err != nil {
		return err
	}
	in := eng.Inspection()
	if in == nil {
		return errors.New("top: the engine cannot list processes")
	}
	for _, c := range cs {
		if c.State != engine.StateRunning {
			continue
		}
		titles, procs, err := in.Top(ctx, c.ID, nil)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, c.Name)
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(titles, "\t"))
		for _, p := range procs {
			fmt.Fprintln(tw, strings.Join(p, "\t"))
		}
		tw.Flush()
		fmt.Fprintln(a.stdout)
	}
	return nil
}

// readContainers opens the project for reading (an unknown service names
// the closest one) and lists the services' containers, one-offs included,
// sorted by name.
func (a *app) readContainers(ctx context.Context, services []string) (engine.Reader, []engine.Container, error) {
	p, r, err := a.openReader(ctx, services...)
	if err != nil {
		return nil, nil, err
	}
	cs, err := r.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: services})
	return r, cs, err
}
