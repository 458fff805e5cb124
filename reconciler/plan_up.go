package reconciler

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// planner lives for one NewPlan call and remembers which action makes each
// resource, so that later actions can name the ones they need.
type planner struct {
	p  *types.Project
	st Observed
	d  *desiredSet
	o  UpOptions
	// buildRun is the service run --build builds: planPulls leaves it out
	// even while o.Build is off for its dependencies.
	buildRun  string
	plan      Plan
	selected  map[string]bool
	nets      map[string]int // network key → create action
	vols      map[string]int // volume key → create action
	builds    map[string]int
	pulls     map[string]int            // service → the pull that brings its image (plan_pull.go)
	creates   map[string][]int          // service → its create actions
	starts    map[string]map[string]int // service → container → start action
	waits     map[string]int            // op+container → wait action
	recreated map[string]bool
	byName    map[string]engine.Container
	replicas  map[string][]string // service → desired container names
	leftovers map[string][]int    // service → removes of replacements an interrupted recreate left
	// reconnects are the containers a network recreate moves off and back
	// on, by name (plan_network_drift.go).
	reconnects map[string]reconnect
	// gone are the containers a volume recreate removes, with why: their
	// replicas are created anew (plan_volume_drift.go).
	gone      map[string]string
	providers map[string]int // provider service → its run (plan_provider.go)
}

// NewPlan compares the project with the observed state and returns the
// actions that bring the engine to the project. It is pure: no engine call,
// no goroutine; the same inputs give the same plan.
func NewPlan(p *types.Project, st Observed, o UpOptions) (Plan, error) {
	order, err := project.StartOrder(p)
	if err != nil {
		return Plan{}, err
	}
	pl := newPlanner(p, st, o)
	if pl.selected, err = selection(p, o); err != nil {
		return Plan{}, err
	}
	if err := pl.preflight(); err != nil {
		return Plan{}, err
	}
	if err := pl.planPulls(); err != nil {
		return Plan{}, err
	}
	pl.planNetworks()
	pl.planVolumes()
	pl.planLeftovers()
	for _, name := range order {
		if pl.selected[name] {
			if err := pl.planService(pl.d.services[name]); err != nil {
				return Plan{}, err
			}
		}
	}
	pl.planOrphans()
	pl.planDuplicateNetworks()
	pl.planAttaches()
	pl.plan.Replicas = pl.replicas
	return pl.plan, nil
}

// newPlanner is the one way to start a plan: every plan of the project
// (up, run, start) plans from the resolution st was observed for.
func newPlanner(p *types.Project, st Observed, o UpOptions) *planner {
	pl := &planner{p: p, st: st, d: resolvedFor(p, st), o: o, plan: Plan{Project: p}, selected: map[string]bool{},
		nets: map[string]int{}, vols: map[string]int{}, builds: map[string]int{},
		creates: map[string][]int{}, starts: map[string]map[string]int{}, waits: map[string]int{},
		recreated: map[string]bool{}, byName: map[string]engine.Container{}, replicas: map[string][]string{},
		leftovers: map[string][]int{}, reconnects: map[string]reconnect{}, gone: map[string]string{}, providers: map[string]int{}}
	for _, c := range st.Containers {
		pl.byName[c.Name] = c
	}
	return pl
}

// selection is the set of services up works on: the named ones and, unless
// noDeps, everything they depend on.
func selection(p *types.Project, o UpOptions) (map[string]bool, error) {
	sel := map[string]bool{}
	if len(o.Services) == 0 {
		for name := range p.Services {
			sel[name] = true
		}
		return sel, nil
	}
	var add func(string)
	add = func(name string) {
		if sel[name] {
			return
		}
		sel[name] = true
		if !o.NoDeps {
			for _, dep := range project.Dependencies(p.Services[name]) {
				if _, ok := p.Services[dep]; ok {
					add(dep)
				}
			}
		}
	}
	for _, name := range o.Services {
		if _, ok := p.Services[name]; !ok {
			return nil, fmt.Errorf("no such service: %s", name)
		}
		add(name)
	}
	return sel, nil
}

func (pl *planner) selectedNames() []string {
	return slices.Sorted(maps.Keys(pl.selected))
}

// planNetworks creates the networks the selected services use that are
// missing, and recreates those whose settings changed.
func (pl *planner) planNetworks() {
	present := map[string]network.Info{}
	for _, n := range pl.st.Networks {
		present[n.Name] = n
	}
	for _, key := range pl.d.usedNetworks(pl.selectedNames()) {
		spec, managed := pl.d.networks[key]
		info, found := present[spec.Name]
		switch {
		case !managed:
		case !found:
			pl.nets[key] = pl.plan.add(Action{Op: OpCreateNetwork, Target: spec.Name, Reason: "not found", Network: &spec})
		default:
			if changed := network.Changed(spec, info); changed != "" {
				pl.nets[key] = pl.planNetworkRecreate(key, spec, info, changed)
			}
		}
	}
	if !pl.o.AllResources {
		return
	}
	for _, key := range slices.Sorted(maps.Keys(pl.p.Networks)) {
		if _, planned := pl.nets[key]; planned || network.IsExternal(pl.p, key) {
			continue
		}
		spec := network.SpecOf(pl.p, key)
		if _, found := present[spec.Name]; !found {
			pl.nets[key] = pl.plan.add(Action{Op: OpCreateNetwork, Target: spec.Name, Reason: "not found", Network: &spec})
		}
	}
}

// planDuplicateNetworks removes the younger networks of a name the engine
// holds twice (two runs created it at once, on an engine before API 1.44):
// containers join the oldest, and the replicas on a younger one are
// replaced (onDuplicateNetwork) before it goes. One still in use by
// anything else stays, with a warning, until it is empty (down removes
// every network of the name).
func (pl *planner) planDuplicateNetworks() {
	for _, n := range pl.st.Networks {
		for _, id := range n.Duplicates {
			var after []int
			for i, act := range pl.plan.Actions {
				if act.Op == OpRemove && slices.Contains(pl.byName[act.Target].NetworkIDs, id) {
					after = append(after, i)
				}
			}
			pl.plan.add(Action{Op: OpRemoveNetwork, Target: id, Optional: true, After: after,
				Reason: fmt.Sprintf("a second network named %s (two runs created it at once); the oldest, %s, stays", n.Name, shortID(n.ID))})
		}
	}
}

// onDuplicateNetwork says why container c must be replaced when it is
// attached to a younger network of a name the engine holds twice.
func (pl *planner) onDuplicateNetwork(c engine.Container) string {
	for _, n := range pl.st.Networks {
		for _, id := range n.Duplicates {
			if slices.Contains(c.NetworkIDs, id) {
				return fmt.Sprintf("attached to a second network named %s (two runs created it at once)", n.Name)
			}
		}
	}
	return ""
}

// shortID is an engine ID as the docker CLI shows it.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// planVolumes creates the volumes the selected services mount that are
// missing, and recreates those whose settings changed when allowed to.
func (pl *planner) planVolumes() {
	present := map[string]engine.Volume{}
	for _, v := range pl.st.Volumes {
		present[v.Name] = v
	}
	used := map[string]bool{}
	if pl.o.AllResources {
		for key := range pl.p.Volumes {
			used[key] = true
		}
	}
	for _, name := range pl.selectedNames() {
		for _, v := range pl.p.Services[name].Volumes {
			if _, ok := pl.p.Volumes[v.Source]; ok && v.Type == types.VolumeTypeVolume {
				used[v.Source] = true
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(used)) {
		v := pl.p.Volumes[key]
		name := project.VolumeName(pl.p, key)
		if bool(v.External) {
			continue
		}
		spec := engine.VolumeSpec{Name: name, Driver: v.Driver, DriverOpts: maps.Clone(map[string]string(v.DriverOpts)), Labels: project.VolumeLabels(pl.p, key)}
		have, found := present[name]
		switch {
		case !found:
			pl.vols[key] = pl.plan.add(Action{Op: OpCreateVolume, Target: name, Reason: "not found", Volume: &spec})
		default:
			if changed := volumeChanged(spec, have); changed != "" {
				pl.planVolumeRecreate(key, spec, changed)
			}
		}
	}
}

// planImage adds the build the service needs, if any, and returns the ID of
// the image present now ("" when it is about to be built or pulled). An
// image that is missing and neither pulled nor built fails the plan,
// naming it.
func (pl *planner) planImage(s types.ServiceConfig) (string, error) {
	ref := project.ImageName(pl.p, s)
	img, present := pl.st.Images[ref]
	if _, pulled := pl.pulls[s.Name]; pulled {
		return img.ID, nil
	}
	policy := pl.pullPolicy(s)
	canBuild := s.Build != nil && !pl.o.NoBuild
	rebuild := !pl.o.built && (pl.o.Build || policy == types.PullPolicyBuild || policy == types.PullPolicyAlways)
	switch {
	case canBuild && (!present || rebuild):
		return pl.addBuild(s, ref, img, present), nil
	case canBuild && policy == types.PullPolicyAlways:
		return img.ID, nil // built just now instead of pulled
	case !present && policy == types.PullPolicyNever:
		return "", fmt.Errorf("service %q: image %q not found locally and pull policy is %q", s.Name, ref, policy)
	case !present:
		return "", fmt.Errorf("service %q: image %q not found locally", s.Name, ref)
	}
	return img.ID, nil
}

// pullPolicy is --pull when given, else the service's pull_policy.
func (pl *planner) pullPolicy(s types.ServiceConfig) string {
	if p := pl.o.Pull; p != "" && p != "policy" {
		return p
	}
	return s.PullPolicy
}

func (pl *planner) addBuild(s types.ServiceConfig, ref string, img engine.Image, present bool) string {
	reason := "not found"
	if present {
		reason = "--build"
	}
	pl.builds[s.Name] = pl.plan.add(Action{Op: OpBuild, Target: ref, Service: s.Name, Reason: reason, Build: &BuildTarget{Image: ref, Service: s}})
	if present {
		return img.ID
	}
	return ""
}

// existing returns the service's containers by replica number; extra
// containers holding a number twice come back separately.
func (pl *planner) existing(s types.ServiceConfig) (map[int]engine.Container, []engine.Container) {
	byNum := map[int]engine.Container{}
	var dups []engine.Container
	for _, c := range pl.st.Containers {
		if c.Labels[project.LabelService] != s.Name || c.Labels[project.LabelOneOff] == "True" || project.IsLeftover(c.Name, c.Labels) {
			continue
		}
		n, err := strconv.Atoi(c.Labels[project.LabelNumber])
		if _, seen := byNum[n]; err != nil || seen {
			dups = append(dups, c)
			continue
		}
		byNum[n] = c
	}
	return byNum, dups
}

func (pl *planner) planService(d *desired) error {
	s := d.service
	if isProvider(s) {
		pl.planProvider(s)
		return nil
	}
	imageID, err := pl.planImage(s)
	if err != nil {
		return err
	}
	pl.starts[s.Name] = map[string]int{}
	byNum, dups := pl.existing(s)
	want := pl.want(s)
	if s.ContainerName != "" && want > 1 {
		return fmt.Errorf("service %q: container_name %q allows one replica, not %d", s.Name, s.ContainerName, want)
	}
	keep := pl.replicaNumbers(d, byNum, want, imageID)
	for _, n := range keep {
		c, ok := byNum[n]
		pl.planReplica(d, n, imageID, c, ok)
	}
	if err := pl.planPreStart(d); err != nil {
		return err
	}
	for _, n := range slices.Backward(slices.Sorted(maps.Keys(byNum))) {
		if !slices.Contains(keep, n) {
			pl.stopRemove(byNum[n], "scale down", false)
		}
	}
	for _, c := range dups {
		pl.stopRemove(c, "duplicate", false)
	}
	return nil
}

// want is how many containers the service should have.
func (pl *planner) want(s types.ServiceConfig) int {
	if n, ok := pl.o.Scale[s.Name]; ok {
		return n
	}
	return project.Replicas(s)
}

// stopRemove stops c when it runs, then removes it, both after the actions
// after names; it returns the remove.
func (pl *planner) stopRemove(c engine.Container, reason string, recreate bool, after ...int) int {
	if isRunning(c) {
		after = []int{pl.plan.add(Action{Op: OpStop, Target: c.Name, Service: c.Labels[project.LabelService], Reason: reason, Grace: pl.o.Timeout, Recreate: recreate, After: after})}
	}
	return pl.plan.add(Action{Op: OpRemove, Target: c.Name, Service: c.Labels[project.LabelService], Reason: reason, After: after, Recreate: recreate,
		Remove: engine.RemoveOptions{Force: true, Volumes: recreate && pl.o.RenewAnonVolumes}})
}

func isRunning(c engine.Container) bool {
	return c.State == engine.StateRunning || c.State == engine.StateRestarting || c.State == engine.StatePaused
}

// planLeftovers removes the replacements that recreates interrupted before
// their rename left behind (found by project.LabelReplaces, never by name):
// the container they were to replace is still there, or its replica is
// created afresh. A new replacement of that service waits for the removal,
// since it may take the same temporary name.
func (pl *planner) planLeftovers() {
	for _, c := range pl.st.Containers {
		svc := c.Labels[project.LabelService]
		if project.IsLeftover(c.Name, c.Labels) && pl.selected[svc] {
			pl.leftovers[svc] = append(pl.leftovers[svc], pl.stopRemove(c, "left by an interrupted recreate", false))
		}
	}
}

// planOrphans removes (--remove-orphans) or names in a warning the
// project's orphans: the containers of services the file no longer has, and,
// as Docker Compose counts them, the one-off containers that have exited,
// whatever their service. A one-off still running is someone's session, and
// a failed hook's container is kept to be read: they are left alone unless
// their service left the file and --remove-orphans asks.
func (pl *planner) planOrphans() {
	var orphans []string
	for _, c := range pl.st.Containers {
		if project.IsLeftover(c.Name, c.Labels) && pl.selected[c.Labels[project.LabelService]] {
			continue // a replacement a recreate left behind: planLeftovers has it
		}
		gone := isOrphan(pl.p, c)
		if c.Labels[project.LabelOneOff] == "True" && (c.Labels[project.LabelHook] != "" || c.State != engine.StateExited && c.State != engine.StateDead) {
			if gone && pl.o.RemoveOrphans {
				pl.stopRemove(c, "orphan", false)
			}
			continue
		}
		if !gone && c.Labels[project.LabelOneOff] != "True" {
			continue
		}
		if pl.o.RemoveOrphans {
			pl.stopRemove(c, "orphan", false)
			continue
		}
		orphans = append(orphans, c.Name)
	}
	if !pl.o.IgnoreOrphans {
		warnOrphans(&pl.plan, orphans)
	}
}

// isOrphan is the one orphan predicate of every plan: a container of a
// service the project no longer has, enabled or disabled by a profile.
func isOrphan(p *types.Project, c engine.Container) bool {
	svc := c.Labels[project.LabelService]
	_, enabled := p.Services[svc]
	_, disabled := p.DisabledServices[svc]
	return !enabled && !disabled
}

// warnOrphans names, in Docker Compose's words, the orphans a plan leaves.
func warnOrphans(plan *Plan, orphans []string) {
	if len(orphans) > 0 {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("Found orphan containers ([%s]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.", strings.Join(orphans, " ")))
	}
}
