package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/project"
)

// psOptions are the flags of `ps`.
type psOptions struct {
	all, quiet, services, noTrunc bool
	orphans                       bool
	status, filter                []string
	format                        string
}

func newPsCommand(a *app) *cobra.Command {
	var o psOptions
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("format") {
				o.format = a.psFormat(o.format)
			}
			return a.runPs(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all stopped containers (including those created by the run command)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.services, "services", false, "Display services")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "Don't truncate output")
	f.BoolVar(&o.orphans, "orphans", true, "Include orphaned services (not declared by project)")
	f.StringArrayVar(&o.status, "status", nil, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
	f.StringArrayVar(&o.filter, "filter", nil, "Filter services by a property (supported filters: status)")
	f.StringVar(&o.format, "format", "table", "Format output using a custom template:\n'table':  Print output in table format with column headers (default)\n'json':   Print in JSON format\n'TEMPLATE': Print output using the given Go template")
	return cmd
}

// runPs lists the project's containers: one list call.
func (a *app) runPs(ctx context.Context, o psOptions, services []string) error {
	statuses, err := o.statuses()
	if err != nil {
		return err
	}
	p, eng, err := a.openReader(ctx)
	if err != nil {
		return err
	}
	for _, s := range services {
		if _, ok := p.Services[s]; !ok {
			return fmt.Errorf("no such service: %s", s)
		}
	}
	cs, err := eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name, Services: services})
	if err != nil {
		return err
	}
	all := p.AllServices()
	cs = slices.DeleteFunc(cs, func(c engine.Container) bool {
		_, declared := all[c.Labels[project.LabelService]]
		return !o.shows(c, statuses) || (!o.orphans && !declared)
	})
	// One write at the end rather than one per table cell.
	w := bufio.NewWriter(a.stdout)
	err = o.print(w, cs)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// statuses gathers --status and --filter status=….
func (o psOptions) statuses() ([]string, error) {
	out := slices.Clone(o.status)
	for _, f := range o.filter {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != "status" {
			return nil, fmt.Errorf("invalid filter %q: only status=… is supported", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// shows says whether c is listed: by default the running ones, with -a
// all, with --status those in the given states.
func (o psOptions) shows(c engine.Container, statuses []string) bool {
	if len(statuses) > 0 {
		return slices.Contains(statuses, string(c.State))
	}
	return o.all || c.State == engine.StateRunning || c.State == engine.StateRestarting || c.State == engine.StatePaused
}

func (o psOptions) print(w io.Writer, cs []engine.Container) error {
	switch {
	case o.quiet:
		for _, c := range cs {
			fmt.Fprintln(w, c.ID)
		}
	case o.services:
		seen := map[string]bool{}
		for _, c := range cs {
			seen[c.Labels[project.LabelService]] = true
		}
		for _, s := range slices.Sorted(maps.Keys(seen)) {
			fmt.Fprintln(w, s)
		}
	case o.format == "json":
		return printJSON(w, cs)
	case o.format == "table" || o.format == "":
		printTable(w, cs, o.noTrunc)
	default:
		return printTemplate(w, cs, o.format)
	}
	return nil
}

func printTable(w io.Writer, cs []engine.Container, noTrunc bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
	now := time.Now()
	for _, c := range cs {
		cmd := c.Command
		if !noTrunc {
			cmd = truncate(cmd, 20)
		}
		fmt.Fprintf(tw, "%s\t%s\t%q\t%s\t%s\t%s\t%s\n", c.Name, c.Image, cmd, c.Labels[project.LabelService],
			runningFor(now, c.Created), c.Status, ports(c.Ports))
	}
	tw.Flush()
}

// truncate cuts s to n runes, ending in "…" as the Docker CLI does.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runningFor(now, created time.Time) string {
	if created.IsZero() {
		return ""
	}
	return units.HumanDuration(now.Sub(created)) + " ago"
}

// ports renders published ports as "0.0.0.0:8080->80/tcp, :::8080->80/tcp"
// and exposed ones as "80/tcp".
func ports(ps []engine.Port) string {
	var out []string
	for _, p := range ps {
		switch {
		case p.HostPort == 0:
			out = append(out, fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol))
		case strings.Contains(p.HostIP, ":"):
			out = append(out, fmt.Sprintf("[%s]:%d->%d/%s", p.HostIP, p.HostPort, p.ContainerPort, p.Protocol))
		default:
			out = append(out, fmt.Sprintf("%s:%d->%d/%s", p.HostIP, p.HostPort, p.ContainerPort, p.Protocol))
		}
	}
	return strings.Join(slices.Compact(out), ", ")
}

// psEntry is a container as `ps --format json` and templates see it,
// with Docker Compose's field names.
type psEntry struct {
	ID         string
	Name       string
	Names      string
	Image      string
	Command    string
	Project    string
	Service    string
	CreatedAt  string
	RunningFor string
	State      string
	Status     string
	Health     string
	ExitCode   int
	Ports      string
	Labels     string
	Networks   string
	Publishers []psPublisher
}

type psPublisher struct {
	URL           string
	TargetPort    int
	PublishedPort int
	Protocol      string
}

func entry(c engine.Container, now time.Time) psEntry {
	e := psEntry{ID: c.ID, Name: c.Name, Names: c.Name, Image: c.Image, Command: fmt.Sprintf("%q", c.Command),
		Project: c.Labels[project.LabelProject], Service: c.Labels[project.LabelService],
		CreatedAt: c.Created.Format("2006-01-02 15:04:05 -0700 MST"), RunningFor: runningFor(now, c.Created),
		State: string(c.State), Status: c.Status, Health: string(c.Health), ExitCode: c.ExitCode,
		Ports: ports(c.Ports), Networks: strings.Join(c.Networks, ","), Publishers: []psPublisher{}}
	var labels []string
	for _, k := range slices.Sorted(maps.Keys(c.Labels)) {
		labels = append(labels, k+"="+c.Labels[k])
	}
	e.Labels = strings.Join(labels, ",")
	for _, p := range c.Ports {
		e.Publishers = append(e.Publishers, psPublisher{URL: p.HostIP, TargetPort: int(p.ContainerPort), PublishedPort: int(p.HostPort), Protocol: p.Protocol})
	}
	return e
}

// printJSON prints one JSON object a line, as Docker Compose does.
func printJSON(w io.Writer, cs []engine.Container) error {
	now := time.Now()
	enc := json.NewEncoder(w)
	for _, c := range cs {
		if err := enc.Encode(entry(c, now)); err != nil {
			return err
		}
	}
	return nil
}

func printTemplate(w io.Writer, cs []engine.Container, format string) error {
	format, table := strings.CutPrefix(format, "table ")
	if table { // a header of the fields' names, columns aligned
		tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
		defer tw.Flush()
		w = tw
		format = strings.ReplaceAll(format, `\t`, "\t")
		fmt.Fprintln(w, templateField.ReplaceAllStringFunc(format, columnHeader))
	}
	tmpl, err := template.New("ps").Funcs(template.FuncMap{"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}}).Parse(format)
	if err != nil {
		return fmt.Errorf("invalid --format: %w", err)
	}
	now := time.Now()
	for _, c := range cs {
		if err := tmpl.Execute(w, entry(c, now)); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// templateField is one {{.Field}} of a --format template.
var templateField = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// columnHeader is the docker CLI's column title for a template field.
func columnHeader(field string) string {
	name := templateField.FindStringSubmatch(field)[1]
	switch name {
	case "ID":
		return "CONTAINER ID"
	case "RunningFor", "CreatedAt":
		return "CREATED"
	case "CPUPerc":
		return "CPU %"
	case "MemUsage":
		return "MEM USAGE / LIMIT"
	case "MemPerc":
		return "MEM %"
	case "NetIO":
		return "NET I/O"
	case "BlockIO":
		return "BLOCK I/O"
	}
	return strings.ToUpper(name)
}

// psFormat is the psFormat of the docker CLI's config.json when it sets
// one, else def: ps without --format honours it, as the docker CLI does.
func (a *app) psFormat(def string) string {
	b, err := os.ReadFile(filepath.Join(configDirFrom(a.getenv), "config.json"))
	if err != nil {
		return def
	}
	var cfg struct {
		PsFormat string `json:"psFormat"`
	}
	if json.Unmarshal(b, &cfg) != nil || cfg.PsFormat == "" {
		return def
	}
	return cfg.PsFormat
}
