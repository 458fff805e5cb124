package reconciler

import (
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// planReplica plans container n of s: create it, replace it, start it, or
// leave it alone.
func (pl *planner) planReplica(d *desired, n int, imageID string, c engine.Container, exists bool) {
	s := d.service
	name := project.ContainerName(pl.p.Name, s, n)
	pl.replicas[s.Name] = append(pl.replicas[s.Name], name)
	if !exists {
		reason := "not found"
		if why, ok := pl.gone[name]; ok {
			reason = why
		}
		create := pl.create(d, n, imageID, nil, reason, nil)
		pl.creates[s.Name] = append(pl.creates[s.Name], create)
		pl.start(s, name, "", create)
		return
	}
	reason := pl.divergence(d, c, imageID)
	switch {
	case pl.o.staleTasks[name] != "":
		reason = pl.o.staleTasks[name]
	case pl.onDuplicateNetwork(c) != "":
		reason = pl.onDuplicateNetwork(c)
	case pl.o.NoRecreate:
		reason = ""
	case reason == "" && pl.o.ForceRecreate:
		reason = "--force-recreate"
	case reason == "" && pl.o.AlwaysRecreateDeps && pl.isDependency(s.Name):
		reason = "--always-recreate-deps"
	}
	if reason != "" {
		pl.recreated[s.Name] = true
		renamed := pl.replace(d, n, imageID, c, reason)
		pl.creates[s.Name] = append(pl.creates[s.Name], renamed)
		pl.start(s, name, "", renamed)
		return
	}
	if pl.startAfterReconnect(d, name) {
		return
	}
	if dep := pl.restartingDependency(s); dep != "" && isRunning(c) {
		stop := pl.plan.add(Action{Op: OpStop, Target: name, Service: s.Name, Reason: "dependency " + dep + " recreated", Grace: pl.o.Timeout})
		pl.start(s, name, "dependency "+dep+" recreated", stop)
		return
	}
	if !isRunning(c) {
		pl.start(s, name, "not running", -1)
	}
}

// isDependency reports whether the service is up only because a named
// service depends on it.
func (pl *planner) isDependency(name string) bool {
	return len(pl.o.Services) > 0 && !slices.Contains(pl.o.Services, name)
}

// divergence says why the container no longer matches the service, or "".
func (pl *planner) divergence(d *desired, c engine.Container, imageID string) string {
	s := d.service
	if reason := d.divergence(c, pl.o.InjectKey); reason != "" {
		return reason
	}
	if imageID == "" || (c.ImageID != imageID && c.Labels[project.LabelImage] != imageID) {
		return "image changed"
	}
	if mode, ok := strings.CutPrefix(s.NetworkMode, "service:"); ok && pl.recreated[mode] {
		return "network_mode service:" + mode + " recreated"
	}
	if s.NetworkMode == "" && !slices.Equal(d.networkNames, sortedCopy(c.Networks)) {
		return "networks changed"
	}
	return mountedVolumeChanged(d.template().Mounts, c.Mounts)
}

// mountedVolumeChanged names the mount point where container c has another
// named volume than the service now mounts there (an external volume's
// name changed, say), or "". The config hash does not see it: it holds the
// volume's key, not the engine's name.
func mountedVolumeChanged(want, have []engine.Mount) string {
	for _, w := range want {
		if w.Type != types.VolumeTypeVolume || w.Source == "" {
			continue
		}
		for _, h := range have {
			if h.Target == w.Target && h.Type == types.VolumeTypeVolume && h.Source != w.Source {
				return "volume at " + w.Target + " changed: " + h.Source + " -> " + w.Source
			}
		}
	}
	return ""
}

func sortedCopy(s []string) []string {
	return slices.Sorted(slices.Values(s))
}

// restartingDependency names a dependency declared with restart: true that
// this plan recreates, or "".
func (pl *planner) restartingDependency(s types.ServiceConfig) string {
	for _, dep := range project.Dependencies(s) {
		if s.DependsOn[dep].Restart && pl.recreated[dep] && pl.selected[dep] {
			return dep
		}
	}
	return ""
}

// replace plans the recreate of container old so that a refused create
// leaves it running and untouched: the replacement is created first under a
// temporary name, and only then is old stopped and removed and the
// replacement renamed. It returns the rename, after which the new container
// holds the replica's name. The temporary name starts with old's short ID,
// as Docker Compose's does; the replacement is marked with
// project.LabelReplaces, so a run interrupted before the rename leaves a
// container the next plan finds by label (planLeftovers).
func (pl *planner) replace(d *desired, n int, imageID string, old engine.Container, reason string) int {
	after := append(slices.Clone(pl.leftovers[d.service.Name]), pl.reconnects[old.Name].connects...) // a recreated network holds old again first
	create := pl.create(d, n, imageID, &old, reason, after)
	spec := pl.plan.Actions[create].Container
	final := spec.Name
	spec.Name = tempName(old.ID, final)
	spec.Labels[project.LabelReplaces] = final
	pl.plan.Actions[create].Temp = spec.Name
	removed := pl.stopRemove(old, reason, true, create)
	return pl.plan.add(Action{Op: OpRename, Target: final, Service: d.service.Name, Reason: reason, Temp: spec.Name, After: []int{removed}, Recreate: true})
}

// tempName is the name a replacement is created under.
func tempName(oldID, final string) string {
	short := oldID[:min(12, len(oldID))]
	if short == "" {
		short = "replacement" // only a hand-made state has no ID
	}
	return short + "_" + final
}

// create adds the create of replica n after everything it needs: its
// networks, volumes, image build, and the containers it names (network_mode,
// links, volumes_from).
func (pl *planner) create(d *desired, n int, imageID string, old *engine.Container, reason string, after []int) int {
	s := d.service
	spec := d.replica(pl.p, n, imageID, old, pl.o.RenewAnonVolumes, pl.o.InjectKey)
	spec.Environment = withProxy(spec.Environment, pl.o.ProxyEnv)
	after = append(after, pl.resourcesOf(s)...)
	for _, ref := range d.refs {
		after = append(after, pl.creates[ref]...)
	}
	providers, runs := pl.providersOf(s)
	after = append(after, runs...)
	return pl.plan.add(Action{Op: OpCreate, Target: spec.Name, Service: s.Name, Reason: reason,
		After: uniqueSorted(after), Recreate: old != nil, Container: &spec, Inject: d.inject, Providers: providers})
}

// resourcesOf are the actions a container of s is created after: those
// that create its networks (unless network_mode replaces them) and named
// volumes, and build or pull its image.
func (pl *planner) resourcesOf(s types.ServiceConfig) []int {
	var after []int
	for _, key := range slices.Sorted(maps.Keys(s.Networks)) {
		if i, ok := pl.nets[key]; ok && s.NetworkMode == "" {
			after = append(after, i)
		}
	}
	for _, v := range s.Volumes {
		if i, ok := pl.vols[v.Source]; ok && v.Type == types.VolumeTypeVolume {
			after = append(after, i)
		}
	}
	if i, ok := pl.builds[s.Name]; ok {
		after = append(after, i)
	}
	if i, ok := pl.pulls[s.Name]; ok {
		after = append(after, i)
	}
	return after
}

// referencedServices are the services whose containers s names at create.
func referencedServices(s types.ServiceConfig) []string {
	refs := map[string]bool{}
	for _, mode := range []string{s.NetworkMode, s.Pid, s.Ipc} {
		if name, ok := strings.CutPrefix(mode, "service:"); ok {
			refs[name] = true
		}
	}
	for _, l := range s.Links {
		svc, _, _ := strings.Cut(l, ":")
		refs[svc] = true
	}
	for _, v := range s.VolumesFrom {
		if !strings.HasPrefix(v, "container:") {
			svc, _, _ := strings.Cut(v, ":")
			refs[svc] = true
		}
	}
	return slices.Sorted(maps.Keys(refs))
}

// start adds the start of container name after prev (its create or stop;
// -1 for none) and the conditions its dependencies declare.
func (pl *planner) start(s types.ServiceConfig, name, reason string, prev int) {
	if pl.o.NoStart {
		return
	}
	var after, soft []int
	if prev >= 0 {
		after = append(after, prev)
	}
	for _, dep := range project.Dependencies(s) {
		if !pl.selected[dep] {
			continue // not required, or left out by --no-deps
		}
		cfg := s.DependsOn[dep]
		gates := pl.gateOn(dep, cfg.Condition, cfg.Required)
		after = append(after, gates...)
		if !cfg.Required {
			soft = append(soft, gates...)
		}
	}
	start := pl.plan.add(Action{Op: OpStart, Target: name, Service: s.Name, Reason: reason,
		After: uniqueSorted(after), Soft: uniqueSorted(soft), PublishesPorts: publishesPorts(s)})
	pl.starts[s.Name][name] = pl.planPostStart(s, name, start)
}

func publishesPorts(s types.ServiceConfig) bool {
	for _, p := range s.Ports {
		if p.Published != "" {
			return true
		}
	}
	return false
}

func uniqueSorted(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return slices.Compact(slices.Sorted(slices.Values(s)))
}
