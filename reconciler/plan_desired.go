package reconciler

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// desired is one service resolved once per run: what its containers must
// match and what they are created from. Observe looks up what it names and
// every plan of the run compares the engine with it, so nothing here is
// derived twice, and the snapshot and the plan cannot see two different
// resolutions of the file.
type desired struct {
	service    types.ServiceConfig
	configHash string         // project.LabelConfigHash
	files      []fileRef      // secrets, then configs
	inject     []InjectedFile // the files written in before the start
	injectErr  error          // a variable inject needs is not set
	// networks are the project network keys it joins, sorted (none with a
	// network_mode); networkNames their engine names, sorted.
	networks     []string
	networkNames []string
	refs         []string // services whose containers it names at create
	// fields are the per-field digests (project.LabelConfigFields) and
	// template each replica's container but for its name and labels. A
	// warm up, whose containers all match, needs neither: they are made
	// on first use, still at most once.
	fields   func() map[string]string
	template func() engine.ContainerSpec
}

// resolveService resolves s against project p.
func resolveService(p *types.Project, s types.ServiceConfig, apiVersion string) *desired {
	d := &desired{service: s, configHash: project.ConfigHash(s), files: fileRefs(p, s)}
	d.fields = sync.OnceValue(func() map[string]string { return fieldHashes(s) })
	d.template = sync.OnceValue(func() engine.ContainerSpec { return templateSpec(p, s, d.files, apiVersion) })
	d.inject, d.injectErr = injectedFiles(p, s.Name, d.files)
	d.networks = network.Used(p, []string{s.Name})
	for _, key := range slices.Sorted(maps.Keys(s.Networks)) {
		d.networkNames = append(d.networkNames, project.NetworkName(p, key))
	}
	slices.Sort(d.networkNames)
	d.refs = referencedServices(s)
	return d
}

// replica is the container to create for replica n, from image imageID.
// old, when set, is the container it replaces: its anonymous volumes carry
// over unless renew is set.
func (d *desired) replica(p *types.Project, n int, imageID string, old *engine.Container, renew bool, key []byte) engine.ContainerSpec {
	spec := d.template()
	spec.Name = project.ContainerName(p.Name, d.service, n)
	spec.Labels = project.ContainerLabels(p, d.service, n, d.configHash, imageID)
	spec.Labels[project.LabelConfigFields] = project.EncodeDigests(d.fields())
	if l := injectedLabel(key, d.inject); l != "" {
		spec.Labels[project.LabelInjected] = l
	}
	if old != nil && !renew {
		spec.Mounts = carryAnonymous(p, spec.Mounts, old.Mounts)
	}
	return spec
}

// divergence says why container c no longer matches the service apart
// from its image and networks, or "".
func (d *desired) divergence(c engine.Container, key []byte) string {
	if c.Labels[project.LabelConfigHash] != d.configHash {
		changed := changedFields(project.DecodeDigests(c.Labels[project.LabelConfigFields]), d.fields())
		if _, ok := c.Labels[project.LabelConfigFields]; !ok || len(changed) == 0 {
			return "config changed"
		}
		return "config changed: " + strings.Join(changed, ", ")
	}
	if c.Labels[project.LabelInjected] != injectedLabel(key, d.inject) {
		return "config changed: secrets or configs content"
	}
	return ""
}

// desiredSet is the project resolved once per run: every service, and the
// network berth creates for each project network a service joins.
type desiredSet struct {
	p          *types.Project
	apiVersion string // the engine's, which the specs fit (withinAPI)
	services   map[string]*desired
	networks   map[string]network.Spec // by project key; external ones are not created
}

// resolve resolves every service of p for an engine of apiVersion.
func resolve(p *types.Project, apiVersion string) *desiredSet {
	ds := &desiredSet{p: p, apiVersion: apiVersion, services: map[string]*desired{}, networks: map[string]network.Spec{}}
	for name, s := range p.Services {
		d := resolveService(p, s, apiVersion)
		ds.services[name] = d
		for _, key := range d.networks {
			if _, ok := ds.networks[key]; !ok && !network.IsExternal(p, key) {
				ds.networks[key] = network.SpecOf(p, key)
			}
		}
	}
	return ds
}

// resolvedFor is the resolution st was observed for, or, for a snapshot
// made without Observe (tests, callers that build one), a fresh one.
func resolvedFor(p *types.Project, st Observed) *desiredSet {
	if st.desired != nil && st.desired.p == p && st.desired.apiVersion == st.APIVersion {
		return st.desired
	}
	return resolve(p, st.APIVersion)
}

// usedNetworks are the project network keys the named services join, sorted.
func (ds *desiredSet) usedNetworks(names []string) []string {
	seen := map[string]bool{}
	for _, name := range names {
		if d, ok := ds.services[name]; ok {
			for _, key := range d.networks {
				seen[key] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
