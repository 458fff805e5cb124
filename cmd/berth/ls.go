package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/project"
)

type lsOptions struct {
	all, quiet bool
	format     string
	filter     []string
}

func newLsCommand(a *app) *cobra.Command {
	var o lsOptions
	cmd := &cobra.Command{
		Use:   "ls [OPTIONS]",
		Short: "List running compose projects",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLs(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display project names")
	f.StringVar(&o.format, "format", "table", "Format the output. Values: [table | json]")
	f.StringArrayVar(&o.filter, "filter", nil, "Filter output based on conditions provided (name=…)")
	return cmd
}

// projectEntry is one project as `ls` shows it, with Docker Compose's JSON names.
type projectEntry struct {
	Name        string
	Status      string
	ConfigFiles string
}

// runLs lists the projects found by label on the engine: one list call.
func (a *app) runLs(ctx context.Context, o lsOptions) error {
	names, err := o.names()
	if err != nil {
		return err
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return err
	}
	in := eng.Inspection()
	if in == nil {
		return errors.New("ls: the engine cannot list projects")
	}
	cs, err := in.ListAllProjects(ctx, o.all)
	if err != nil {
		return err
	}
	entries := projectsOf(cs, names)
	return o.print(a, entries)
}

// names reads --filter name=…; a project matches when its name contains one.
func (o lsOptions) names() ([]string, error) {
	var out []string
	for _, f := range o.filter {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != "name" {
			return nil, fmt.Errorf("invalid filter %q: only name=… is supported", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// projectsOf groups containers by project: status "running(2), exited(1)"
// with states sorted, config files from the label.
func projectsOf(cs []engine.Container, names []string) []projectEntry {
	states := map[string]map[string]int{}
	files := map[string]string{}
	for _, c := range cs {
		name := c.Labels[project.LabelProject]
		if len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(name, n) }) {
			continue
		}
		if states[name] == nil {
			states[name] = map[string]int{}
		}
		states[name][string(c.State)]++
		if files[name] == "" {
			files[name] = c.Labels[project.LabelConfigFiles]
		}
	}
	var out []projectEntry
	for _, name := range slices.Sorted(maps.Keys(states)) {
		var parts []string
		for _, st := range slices.Sorted(maps.Keys(states[name])) {
			parts = append(parts, fmt.Sprintf("%s(%d)", st, states[name][st]))
		}
		out = append(out, projectEntry{Name: name, Status: strings.Join(parts, ", "), ConfigFiles: files[name]})
	}
	return out
}

func (o lsOptions) print(a *app, entries []projectEntry) error {
	switch {
	case o.quiet:
		for _, e := range entries {
			fmt.Fprintln(a.stdout, e.Name)
		}
	case o.format == "json":
		if entries == nil {
			entries = []projectEntry{}
		}
		return json.NewEncoder(a.stdout).Encode(entries)
	case o.format == "table" || o.format == "":
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATUS\tCONFIG FILES")
		for _, e := range entries {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.Status, e.ConfigFiles)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("invalid --format %q: want table or json", o.format)
	}
	return nil
}
