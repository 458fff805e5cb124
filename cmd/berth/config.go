package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"berth/compose"
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
	models        bool
	profiles      bool
	images        bool
	variables     bool
	environment   bool
	noInterpolate bool
	noNormalize   bool
	noPaths       bool
	noConsistency bool
	noEnvFiles    bool
	resolveDigest bool
	lockDigests   bool
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
	f.StringVar(&opts.format, "format", "", `Format the output. Values: [yaml | json]`)
	f.StringVarP(&opts.output, "output", "o", "", "Save to file (default to stdout)")
	f.StringVar(&opts.hash, "hash", "", `Print the service config hash, one per line ("*" for all services)`)
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&opts.services, "services", false, "Print the service names, one per line")
	f.BoolVar(&opts.volumes, "volumes", false, "Print the volume names, one per line")
	f.BoolVar(&opts.networks, "networks", false, "Print the network names, one per line")
	f.BoolVar(&opts.models, "models", false, "Print the model names, one per line")
	f.BoolVar(&opts.profiles, "profiles", false, "Print the profile names, one per line")
	f.BoolVar(&opts.images, "images", false, "Print the image names, one per line")
	f.BoolVar(&opts.variables, "variables", false, "Print model variables and default values")
	f.BoolVar(&opts.environment, "environment", false, "Print environment used for interpolation.")
	f.BoolVar(&opts.noInterpolate, "no-interpolate", false, "Don't interpolate environment variables")
	f.BoolVar(&opts.noNormalize, "no-normalize", false, "Don't normalize compose model")
	f.BoolVar(&opts.noPaths, "no-path-resolution", false, "Don't resolve file paths")
	f.BoolVar(&opts.noConsistency, "no-consistency", false, "Don't check model consistency - warning: may produce invalid Compose output")
	f.BoolVar(&opts.noEnvFiles, "no-env-resolution", false, "Don't resolve service env files")
	f.BoolVar(&opts.resolveDigest, "resolve-image-digests", false, "Pin image tags to digests")
	f.BoolVar(&opts.lockDigests, "lock-image-digests", false, "Produces an override file with image digests")
	return cmd
}

func (a *app) runConfig(ctx context.Context, opts configOptions, services []string) error {
	switch opts.format {
	case "", "yaml", "json":
	default:
		return fmt.Errorf("config: unsupported format %q: use yaml or json", opts.format)
	}
	if opts.lockDigests {
		opts.resolveDigest = true // the override holds resolved images
	}
	if a.global.compatibility || a.envBool("COMPOSE_COMPATIBILITY") {
		opts.noNormalize = true // as Docker Compose renders in compatibility mode
	}
	o := a.composeOptions(services)
	o.NoInterpolate = opts.noInterpolate
	o.NoNormalize, o.NoResolvePaths, o.NoConsistency = opts.noNormalize, opts.noPaths, opts.noConsistency
	o.SkipEnvFiles = opts.noEnvFiles
	var out []byte
	var err error
	switch {
	case opts.variables:
		out, err = a.configVariables(ctx, o, opts.format)
	case opts.noInterpolate && !opts.lists():
		out, err = a.configModel(ctx, o, opts)
	default:
		out, err = a.configProject(ctx, o, opts)
	}
	if err != nil || opts.quiet {
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

// lists says whether config prints one of its lists rather than the model.
func (opts configOptions) lists() bool {
	return opts.services || opts.volumes || opts.networks || opts.models || opts.profiles ||
		opts.images || opts.hash != "" || opts.environment
}

// configProject loads the project and renders it, or the list asked for.
// The lists of names read no env_file (a missing one is no error there);
// --hash reads those of the services it hashes only, as up would.
func (a *app) configProject(ctx context.Context, o compose.Options, opts configOptions) ([]byte, error) {
	switch {
	case opts.services || opts.volumes || opts.networks || opts.models:
		o.SkipEnvFiles = true
	case opts.hash != "":
		o.Services = nil // the hash of a service is the same in any selection
		if opts.hash != "*" {
			o.EnvFilesOf = splitList(opts.hash, ",")
		}
	}
	p, err := a.load(ctx, o)
	if err != nil {
		return nil, err
	}
	if !opts.lists() {
		if p, err = a.pinDigests(ctx, p, opts); err != nil {
			return nil, err
		}
	}
	return renderConfig(p, opts)
}

// pinDigests applies --resolve-image-digests and --lock-image-digests to
// the loaded project.
func (a *app) pinDigests(ctx context.Context, p *types.Project, opts configOptions) (*types.Project, error) {
	if !opts.resolveDigest {
		return p, nil
	}
	p, err := p.WithImagesResolved(a.digestResolver(ctx))
	if err != nil {
		return nil, err
	}
	if opts.lockDigests {
		p = lockedImages(p, a.stderr)
	}
	return p, nil
}

// configModel renders the raw model: with --no-interpolate, the values
// keep their ${VAR} expressions. The model is always the whole project.
func (a *app) configModel(ctx context.Context, o compose.Options, opts configOptions) ([]byte, error) {
	if len(o.Services) > 0 {
		fmt.Fprintln(a.stderr, "WARN service filtering is not applied when --no-interpolate is set, the full model will be rendered")
	}
	model, err := compose.LoadModel(ctx, o, false)
	if err != nil {
		return nil, err
	}
	if opts.resolveDigest {
		if err := resolveModelDigests(model, a.digestResolver(ctx)); err != nil {
			return nil, err
		}
	}
	if opts.lockDigests {
		lockModel(model, a.stderr)
	}
	if opts.format == "json" {
		return json.MarshalIndent(model, "", "  ")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(model); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// configVariables lists the variables the files use, with their default
// (${X:-d}), alternate (${X:+a}) values and whether they are required
// (${X:?}); as a table, or in the format asked for.
func (a *app) configVariables(ctx context.Context, o compose.Options, format string) ([]byte, error) {
	if len(o.Services) > 0 {
		fmt.Fprintln(a.stderr, "WARN service filtering is not applied when --variables is set, variables from the full model will be rendered")
	}
	o.NoInterpolate, o.SkipEnvFiles = true, true
	model, err := compose.LoadModel(ctx, o, true)
	if err != nil {
		return nil, err
	}
	vars := template.ExtractVariables(model, template.DefaultPattern)
	switch format {
	case "json":
		out, err := json.MarshalIndent(vars, "", "    ")
		return append(out, '\n'), err
	case "yaml":
		return yaml.Marshal(vars)
	}
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE")
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		v := vars[name]
		fmt.Fprintf(w, "%s\t%t\t%s\t%s\n", name, v.Required, v.DefaultValue, v.PresenceValue)
	}
	err = w.Flush()
	return buf.Bytes(), err
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
	case opts.models:
		return lines(models(p)), nil
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
	// The model holds interpolated values: a literal $ is written $$ so
	// that the output loads again to the same project.
	return bytes.ReplaceAll(out, []byte("$"), []byte("$$")), nil
}

// models lists the AI models the project declares, by model reference.
func models(p *types.Project) []string {
	var out []string
	for _, key := range slices.Sorted(maps.Keys(p.Models)) {
		if m := p.Models[key].Model; m != "" {
			out = append(out, m)
		}
	}
	return out
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
