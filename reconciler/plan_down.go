package reconciler

import (
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// NewDownPlan plans `down`: stop every container of the project in reverse
// dependency order (dependents first), then remove them all, then the
// networks and (with -v) volumes the project created, then (with --rmi)
// images. Stopping everything before removing anything keeps the engine from
// being left with a network a running container still holds. With
// o.Services, only those services and their dependents go, and what the
// others use stays (downScope). Pure, like NewPlan.
func NewDownPlan(p *types.Project, st Observed, o DownOptions) Plan {
	plan := Plan{Project: p}
	ds := resolvedFor(p, st)
	st, keep := scopeDown(p, st, o.Services)
	stops := planDownStops(&plan, p, st, o)
	allStops := slices.Concat(slices.Collect(maps.Values(stops))...)
	var removes []int
	removed := downContainers(&plan, p, st, o)
	for _, c := range removed {
		removes = append(removes, plan.add(Action{Op: OpRemove, Target: c.Name, Service: c.Labels[project.LabelService],
			After: uniqueSorted(allStops), Remove: engine.RemoveOptions{Force: true, Volumes: o.Volumes}}))
	}
	removes = uniqueSorted(removes)
	if !o.noProviders {
		planProviderHooks(&plan, p, o.Services, OpProviderDown, stops, removes) // as the containers, once they are gone
	}
	for _, n := range st.Networks {
		key := n.Labels[project.LabelNetwork]
		if cfg, ok := p.Networks[key]; ok && !bool(cfg.External) && !keep.keepsNetwork(ds, key, n.Name) {
			act := Action{Op: OpRemoveNetwork, Target: n.Name, After: removes}
			if !engine.StopReleasesEndpoints.Supported(st.APIVersion) {
				act.Disconnects = stoppedOn(n.Name, removed)
			}
			plan.add(act)
		}
	}
	for _, v := range st.Volumes {
		key := v.Labels[project.LabelVolume]
		if cfg, ok := p.Volumes[key]; o.Volumes && ok && !bool(cfg.External) && !keep.keepsVolume(p, key, v.Name) {
			plan.add(Action{Op: OpRemoveVolume, Target: v.Name, After: removes})
		}
	}
	for _, ref := range slices.DeleteFunc(downImages(p, st, o.RemoveImages), func(ref string) bool { return keep.keepsImage(p, ref) }) {
		plan.add(Action{Op: OpRemoveImage, Target: ref, After: removes})
	}
	return plan
}

// stoppedOn are the IDs of the containers down stops (or removes running)
// that are attached to network, sorted: the engine reports their release.
func stoppedOn(network string, removed []engine.Container) []string {
	var ids []string
	for _, c := range removed {
		// A restarting container is between runs: its endpoint is gone already.
		running := c.State == engine.StateRunning || c.State == engine.StatePaused
		if running && slices.Contains(c.Networks, network) {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// downContainers are the containers down removes: those of the project's
// services (one-off ones included) and, with --remove-orphans, the others.
// Without it, the orphans are named in a warning.
func downContainers(plan *Plan, p *types.Project, st Observed, o DownOptions) []engine.Container {
	var out []engine.Container
	var orphans []string
	for _, c := range st.Containers {
		if !isOrphan(p, c) || o.RemoveOrphans {
			out = append(out, c)
		} else {
			orphans = append(orphans, c.Name)
		}
	}
	if len(plan.Warnings) == 0 {
		warnOrphans(plan, orphans)
	}
	return out
}

// planDownStops adds the stops of the running containers down removes,
// dependents first (planStops).
func planDownStops(plan *Plan, p *types.Project, st Observed, o DownOptions) map[string][]int {
	bySvc := map[string][]engine.Container{}
	for _, c := range st.Containers {
		if isRunning(c) && (!isOrphan(p, c) || o.RemoveOrphans) {
			svc := c.Labels[project.LabelService]
			bySvc[svc] = append(bySvc[svc], c)
		}
	}
	return planStops(plan, p, bySvc, o.Timeout)
}

// downImages are the image references --rmi removes that are present:
// "local" only the images berth built (services without image:), "all"
// every service's image.
func downImages(p *types.Project, st Observed, mode string) []string {
	refs := map[string]bool{}
	for _, s := range p.Services {
		if mode == "all" || (mode == "local" && s.Image == "") {
			ref := project.ImageName(p, s)
			if _, ok := st.Images[ref]; ok {
				refs[ref] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(refs))
}
