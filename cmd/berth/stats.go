package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"text/template"

	"berth/engine"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

type statsOptions struct {
	all, noStream, noTrunc bool
	format                 string
}

func newStatsCommand(a *app) *cobra.Command {
	var o statsOptions
	cmd := &cobra.Command{
		Use:               "stats [OPTIONS] [SERVICE]",
		Short:             "Display a live stream of container(s) resource usage statistics",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runStats(cmd.Context(), args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all containers (default shows just running)")
	f.BoolVar(&o.noStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "Do not truncate output")
	f.StringVar(&o.format, "format", "table", "Format output: table, json, or a Go template ('table TEMPLATE' adds a header)")
	return cmd
}

// runStats prints one sample per container; without --no-stream it goes
// on sampling (each sample takes the engine about a second) until Ctrl-C.
func (a *app) runStats(ctx context.Context, services []string, o statsOptions) error {
	eng, cs, err := a.readContainers(ctx, services)
	if err != nil {
		return err
	}
	in := eng.Inspection()
	if in == nil {
		return errors.New("stats: the engine cannot report resource use")
	}
	var shown []engine.Container
	for _, c := range cs {
		if o.all || c.State == engine.StateRunning {
			shown = append(shown, c)
		}
	}
	for {
		samples, err := sampleAll(ctx, in, shown)
		if err != nil {
			return interrupted(ctx, err)
		}
		if !o.noStream {
			fmt.Fprint(a.stdout, "\033[2J\033[H") // clear, as docker stats does
		}
		if err := printStatsAs(a, shown, samples, o); err != nil {
			return err
		}
		if o.noStream {
			return nil
		}
	}
}

func sampleAll(ctx context.Context, in engine.Inspection, cs []engine.Container) ([]engine.Stats, error) {
	out := make([]engine.Stats, len(cs))
	g, gctx := errgroup.WithContext(ctx)
	for i, c := range cs {
		if c.State != engine.StateRunning {
			continue // a stopped container uses nothing
		}
		g.Go(func() (err error) {
			out[i], err = in.Stats(gctx, c.ID)
			return err
		})
	}
	return out, g.Wait()
}

func printStats(a *app, cs []engine.Container, samples []engine.Stats, noTrunc bool) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET I/O\tBLOCK I/O\tPIDS")
	for i, c := range cs {
		s := samples[i]
		id := c.ID
		if !noTrunc {
			id = shortID(id)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f%%\t%s / %s\t%.2f%%\t%s / %s\t%s / %s\t%d\n", id, c.Name, s.CPUPercent,
			units.BytesSize(float64(s.MemUsage)), units.BytesSize(float64(s.MemLimit)), s.MemPercent,
			units.HumanSizeWithPrecision(float64(s.NetRx), 3), units.HumanSizeWithPrecision(float64(s.NetTx), 3),
			units.HumanSizeWithPrecision(float64(s.BlockRead), 3), units.HumanSizeWithPrecision(float64(s.BlockWrite), 3), s.PIDs)
	}
	tw.Flush()
}

// statsEntry is one sample with the docker CLI's field names, for json and
// templates.
type statsEntry struct {
	Container, ID, Name, CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs string
}

func statsEntryOf(c engine.Container, s engine.Stats, noTrunc bool) statsEntry {
	id := c.ID
	if !noTrunc {
		id = shortID(id)
	}
	return statsEntry{Container: id, ID: id, Name: c.Name,
		CPUPerc: fmt.Sprintf("%.2f%%", s.CPUPercent), MemPerc: fmt.Sprintf("%.2f%%", s.MemPercent),
		MemUsage: units.BytesSize(float64(s.MemUsage)) + " / " + units.BytesSize(float64(s.MemLimit)),
		NetIO:    units.HumanSizeWithPrecision(float64(s.NetRx), 3) + " / " + units.HumanSizeWithPrecision(float64(s.NetTx), 3),
		BlockIO:  units.HumanSizeWithPrecision(float64(s.BlockRead), 3) + " / " + units.HumanSizeWithPrecision(float64(s.BlockWrite), 3),
		PIDs:     fmt.Sprint(s.PIDs)}
}

// printStatsAs prints the samples as --format asks: the table, json (one
// object a line) or a template.
func printStatsAs(a *app, cs []engine.Container, samples []engine.Stats, o statsOptions) error {
	if o.format == "" || o.format == "table" {
		printStats(a, cs, samples, o.noTrunc)
		return nil
	}
	if o.format == "json" {
		enc := json.NewEncoder(a.stdout)
		for i, c := range cs {
			if err := enc.Encode(statsEntryOf(c, samples[i], o.noTrunc)); err != nil {
				return err
			}
		}
		return nil
	}
	format, table := strings.CutPrefix(o.format, "table ")
	format = strings.ReplaceAll(format, `\t`, "\t")
	tmpl, err := template.New("stats").Parse(format)
	if err != nil {
		return fmt.Errorf("invalid --format: %w", err)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
	defer tw.Flush()
	if table {
		fmt.Fprintln(tw, templateField.ReplaceAllStringFunc(format, columnHeader))
	}
	for i, c := range cs {
		if err := tmpl.Execute(tw, statsEntryOf(c, samples[i], o.noTrunc)); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		fmt.Fprintln(tw)
	}
	return nil
}
