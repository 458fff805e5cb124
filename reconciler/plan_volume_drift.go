package reconciler

import (
	"fmt"
	"maps"
	"slices"

	"berth/engine"
	"berth/project"
)

// volumeChanged names the setting in which volume have differs from spec
// ("labels.backup", "driver"), or "". The engine's list shows a volume's
// labels and driver, not its driver options.
func volumeChanged(spec engine.VolumeSpec, have engine.Volume) string {
	for _, k := range slices.Sorted(maps.Keys(spec.Labels)) {
		if k == project.LabelVersion {
			continue
		}
		if got, ok := have.Labels[k]; !ok || got != spec.Labels[k] {
			return "labels." + k
		}
	}
	driver := spec.Driver
	if driver == "" {
		driver = "local"
	}
	if have.Driver != "" && have.Driver != driver {
		return "driver"
	}
	return ""
}

// planVolumeRecreate recreates volume key, present with settings other
// than the file's, as Docker Compose does once the user agrees (up -y):
// every container that mounts it is stopped and removed (the engine keeps
// a volume any container holds), the volume removed and created again,
// and the service containers created anew on it. Without -y the volume
// and its data stay, and the plan warns.
func (pl *planner) planVolumeRecreate(key string, spec engine.VolumeSpec, changed string) {
	if !pl.o.RecreateVolumes {
		pl.plan.Warnings = append(pl.plan.Warnings, fmt.Sprintf(
			"Volume %q exists but doesn't match configuration in compose file (%s changed); it is kept: up -y recreates it (data will be lost)", spec.Name, changed))
		return
	}
	why := "volume " + key + " config changed"
	var removes []int
	var kept []engine.Container
	for _, c := range pl.st.Containers {
		if !mountsVolume(c, spec.Name) {
			kept = append(kept, c)
			continue
		}
		var after []int
		if isRunning(c) {
			after = []int{pl.plan.add(Action{Op: OpStop, Target: c.Name, Service: c.Labels[project.LabelService], Reason: why, Grace: pl.o.Timeout})}
		}
		removes = append(removes, pl.plan.add(Action{Op: OpRemove, Target: c.Name, Service: c.Labels[project.LabelService], Reason: why, After: after}))
		pl.gone[c.Name] = why
		delete(pl.byName, c.Name)
	}
	pl.st.Containers = kept // the services' containers are created anew (planReplica)
	reason := "config changed: " + changed
	removed := pl.plan.add(Action{Op: OpRemoveVolume, Target: spec.Name, Reason: reason, After: removes})
	pl.vols[key] = pl.plan.add(Action{Op: OpCreateVolume, Target: spec.Name, Reason: reason, Volume: &spec, After: []int{removed}})
}

func mountsVolume(c engine.Container, volume string) bool {
	return slices.ContainsFunc(c.Mounts, func(m engine.Mount) bool { return m.Type == "volume" && m.Source == volume })
}
