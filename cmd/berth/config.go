package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"berth/project"
)

// configOptions are the flags of `berth config`.
type configOptions struct {
	format        string
	output        string
	hash          string
	quiet         bool
	services      bool
	volumes       bool
	networks      bool
	profiles      bool
	images        bool
	noInterpolate bool
	environment   bool
}

func newConfigCommand(a *app) *cobra.Command {
	var opts configOptions
	cmd := &cobra.Command{
		Use:               "config [OPTIONS] [SERVICE...]",
		Aliases:           []string{"convert"},
		Short:             "Parse, resolve and render compose file in canonical format",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runConfig(cmd.Context(), opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "yaml", `Format the output. Values: [yaml | json]`)
	f.StringVarP(&opts.output, "output", "o", "", "Save to file (default to stdout)")
	f.StringVar(&opts.hash, "hash", "", `Print the service config hash, one per line ("*" for all services)`)
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&opts.services, "services", false, "Print the service names, one per line")
	f.BoolVar(&opts.volumes, "volumes", false, "Print the volume names, one per line")
	f.BoolVar(&opts.networks, "networks", false, "Print the network names, one per line")
	f.BoolVar(&opts.profiles, "profiles", false, "Print the profile names, one per line")
	f.BoolVar(&opts.images, "images", false, "Print the image names, one per line")
	f.BoolVar(&opts.noInterpolate, "no-interpolate", false, "Don't interpolate environment variables")
	f.BoolVar(&opts.environment, "environment", false, "Print environment used for interpolation.")
	return cmd
}

func (a *app) runConfig(ctx context.Context, opts configOptions, services []string) error {
	if opts.format != "yaml" && opts.format != "json" {
		return fmt.Errorf("config: unsupported format %q: use yaml or json", opts.format)
	}
	o := a.composeOptions(services)
	o.NoInterpolate = opts.noInterpolate
	p, err := a.load(ctx, o)
	if err != nil {
		return err
	}
	if opts.quiet {
		return nil
	}
	out, err := renderConfig(p, opts)
	if err != nil {
		return err
	}
	if opts.output != "" {
		if err := os.WriteFile(opts.output, out, 0o644); err != nil {
			return fmt.Errorf("config: write %q: %w", opts.output, err)
		}
		return nil
	}
	_, err = a.stdout.Write(out)
	return err
}

// renderConfig is what config prints: one of the lists, or the whole
// project as compose-go marshals it (as Docker Compose prints it).
func renderConfig(p *types.Project, opts configOptions) ([]byte, error) {
	switch {
	case opts.services:
		order, err := project.StartOrder(p)
		return lines(order), err
	case opts.volumes:
		return lines(slices.Sorted(maps.Keys(p.Volumes))), nil
	case opts.networks:
		return lines(slices.Sorted(maps.Keys(p.Networks))), nil
	case opts.profiles:
		return lines(allProfiles(p)), nil
	case opts.images:
		return lines(images(p)), nil
	case opts.hash != "":
		return hashes(p, opts.hash)
	case opts.environment:
		return lines(slices.Sorted(slices.Values(p.Environment.Values()))), nil
	}
	var out []byte
	var err error
	if opts.format == "json" {
		out, err = p.MarshalJSON()
	} else {
		out, err = p.MarshalYAML()
	}
	if err != nil {
		return out, err
	}
	if opts.noInterpolate {
		return sortedKeys(out, opts.format)
	}
	// The model holds interpolated values: a literal $ is written $$ so
	// that the output loads again to the same project.
	return bytes.ReplaceAll(out, []byte("$"), []byte("$$")), nil
}

// allProfiles lists every profile a service of the project names, also the
// services no active profile enables.
func allProfiles(p *types.Project) []string {
	set := map[string]bool{}
	for _, s := range p.AllServices() {
		for _, name := range s.Profiles {
			set[name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func images(p *types.Project) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		out = append(out, project.ImageName(p, p.Services[name]))
	}
	return out
}

// hashes prints "<service> <config hash>" for the services in spec, a
// comma-separated list or "*".
func hashes(p *types.Project, spec string) ([]byte, error) {
	names := slices.Sorted(maps.Keys(p.Services))
	if spec != "*" {
		names = splitList(spec, ",")
	}
	var out []string
	for _, name := range names {
		s, ok := p.Services[name]
		if !ok {
			return nil, fmt.Errorf("no such service: %s", name)
		}
		out = append(out, name+" "+project.ConfigHash(s))
	}
	return lines(out), nil
}

func lines(items []string) []byte {
	if len(items) == 0 {
		return nil
	}
	return []byte(strings.Join(items, "\n") + "\n")
}

// sortedKeys renders a marshalled project with every mapping's keys in
// order, as Docker Compose prints the raw model of --no-interpolate.
func sortedKeys(out []byte, format string) ([]byte, error) {
	if format == "json" {
		return out, nil // encoding/json writes maps sorted already
	}
	var model map[string]any
	if err := yaml.Unmarshal(out, &model); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(model); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
