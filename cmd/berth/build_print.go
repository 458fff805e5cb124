package main

import (
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// buildDefinition is one service's build as `build --print` shows it, in
// the shape of a bake target (the format Docker Compose prints), so tools
// that read Compose's output read berth's. Secrets are named by id and
// source kind only: their values never reach the output.
type buildDefinition struct {
	Context    string            `json:"context"`
	Dockerfile string            `json:"dockerfile,omitempty"`
	Inline     string            `json:"dockerfile-inline,omitempty"`
	Args       map[string]string `json:"args,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	Tags       []string          `json:"tags"`
	Target     string            `json:"target,omitempty"`
	CacheFrom  []string          `json:"cache-from,omitempty"`
	CacheTo    []string          `json:"cache-to,omitempty"`
	Contexts   map[string]string `json:"contexts,omitempty"`
	Network    string            `json:"network,omitempty"`
	Platforms  []string          `json:"platforms,omitempty"`
	Secrets    []string          `json:"secret,omitempty"`
	SSH        []string          `json:"ssh,omitempty"`
	NoCache    bool              `json:"no-cache,omitempty"`
	Pull       bool              `json:"pull,omitempty"`
	Output     []string          `json:"output"`
}

// buildFile is the whole --print document: a default group naming every
// target, and the targets by service name.
type buildFile struct {
	Group  map[string]buildGroup      `json:"group"`
	Target map[string]buildDefinition `json:"target"`
}

type buildGroup struct {
	Targets []string `json:"targets"`
}

// printBuilds writes the resolved build definitions of services (all
// buildable ones when empty) as indented JSON, building nothing.
func printBuilds(w io.Writer, p *types.Project, services []string, o buildFlags) error {
	doc := buildFile{Group: map[string]buildGroup{}, Target: map[string]buildDefinition{}}
	names := services
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(p.Services))
	}
	for _, name := range names {
		s, ok := p.Services[name]
		if !ok || s.Build == nil {
			continue
		}
		doc.Target[name] = definition(p, s, o)
		targets := append(doc.Group["default"].Targets, name)
		doc.Group["default"] = buildGroup{Targets: targets}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func definition(p *types.Project, s types.ServiceConfig, o buildFlags) buildDefinition {
	b := s.Build
	d := buildDefinition{
		Context: b.Context, Dockerfile: b.Dockerfile, Inline: b.DockerfileInline,
		Args: map[string]string{}, Labels: b.Labels, Target: b.Target,
		Tags:      append([]string{project.ImageName(p, s)}, b.Tags...),
		CacheFrom: b.CacheFrom, CacheTo: b.CacheTo, Contexts: b.AdditionalContexts,
		Network: b.Network, Platforms: b.Platforms,
		NoCache: b.NoCache || o.noCache, Pull: b.Pull || o.pull,
		Output: []string{"type=docker"},
	}
	for k, v := range b.Args {
		if v != nil {
			d.Args[k] = *v
		}
	}
	for k, v := range parseBuildArgs(o.buildArgs) {
		if v != nil {
			d.Args[k] = *v
		}
	}
	for _, ref := range b.Secrets {
		d.Secrets = append(d.Secrets, secretSource(p, ref))
	}
	for _, key := range b.SSH {
		d.SSH = append(d.SSH, key.ID+"="+key.Path)
	}
	sort.Strings(d.Secrets)
	return d
}

// secretSource names where a build secret comes from (a file's path or an
// environment variable's name), never its value.
func secretSource(p *types.Project, ref types.ServiceSecretConfig) string {
	id := ref.Target
	if id == "" {
		id = ref.Source
	}
	sec := p.Secrets[ref.Source]
	if sec.Environment != "" {
		return "id=" + id + ",env=" + sec.Environment
	}
	return "id=" + id + ",src=" + sec.File
}
