package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"berth/engine"
)

func newVolumesCommand(a *app) *cobra.Command {
	var format string
	var quiet bool
	cmd := &cobra.Command{
		Use:               "volumes [OPTIONS] [SERVICE...]",
		Short:             "List volumes",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runVolumes(cmd.Context(), args, format, quiet)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", `Format the output. Values: [table | json]`)
	f.BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	return cmd
}

// volumeEntry is one volume, with the docker CLI's JSON names.
type volumeEntry struct {
	Driver     string
	Name       string
	Mountpoint string
	Labels     map[string]string
}

// runVolumes lists the project's volumes (by label); with services, those
// their containers mount.
func (a *app) runVolumes(ctx context.Context, services []string, format string, quiet bool) error {
	vs, err := a.projectVolumes(ctx, services)
	if err != nil {
		return err
	}
	switch {
	case quiet:
		for _, v := range vs {
			fmt.Fprintln(a.stdout, v.Name)
		}
	case format == "json":
		entries := []volumeEntry{}
		for _, v := range vs {
			entries = append(entries, volumeEntry{Driver: v.Driver, Name: v.Name, Mountpoint: v.Mountpoint, Labels: v.Labels})
		}
		return json.NewEncoder(a.stdout).Encode(entries)
	case format == "table" || format == "":
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, "DRIVER\tVOLUME NAME")
		for _, v := range vs {
			fmt.Fprintf(tw, "%s\t%s\n", v.Driver, v.Name)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("invalid --format %q: want table or json", format)
	}
	return nil
}

func (a *app) projectVolumes(ctx context.Context, services []string) ([]engine.Volume, error) {
	p, eng, err := a.open(ctx, services...)
	if err != nil {
		return nil, err
	}
	vs, err := eng.ListVolumes(ctx, p.Name)
	if err != nil || len(services) == 0 {
		return vs, err
	}
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: services})
	if err != nil {
		return nil, err
	}
	mounted := map[string]bool{}
	for _, c := range cs {
		for _, m := range c.Mounts {
			mounted[m.Source] = true
		}
	}
	return slices.DeleteFunc(vs, func(v engine.Volume) bool { return !mounted[v.Name] }), nil
}
