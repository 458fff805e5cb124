package reconciler

import (
	"fmt"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

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

// volumeDrift is a volume whose settings differ from the file's.
type volumeDrift struct {
	key, name string
}

// question is Docker Compose's prompt for the volume.
func (d volumeDrift) question() string {
	return fmt.Sprintf("Volume %q exists but doesn't match configuration in compose file. Recreate (data will be lost)?", d.name)
}

// planVolumeRecreate recreates volume key, present with settings other
// than the file's, as Docker Compose does once the user agrees (up -y, or
// a yes to Up's question): every container that mounts it is stopped and
// removed (the engine keeps a volume any container holds), the volume
// removed and created again, and the service containers created anew on
// it. Otherwise the volume and its data stay, and the plan warns.
func (pl *planner) planVolumeRecreate(key string, spec engine.VolumeSpec, changed string) {
	if !pl.o.RecreateVolumes && !pl.o.recreateVolumes[key] {
		pl.plan.keptVolumes = append(pl.plan.keptVolumes, volumeDrift{key: key, name: spec.Name})
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

// planAsking is NewPlan for Up: when the plan keeps volumes whose settings
// changed, it asks o.Confirm about each (Docker Compose's question) and
// plans again with those the user agreed to recreate. The options it
// returns carry the answers, so the plans made after the pulls and builds
// do not ask again. The planner itself never asks.
func planAsking(p *types.Project, st Observed, o UpOptions) (Plan, UpOptions, error) {
	plan, err := NewPlan(p, st, o)
	if err != nil || o.Confirm == nil || o.RecreateVolumes || o.recreateVolumes != nil || len(plan.keptVolumes) == 0 {
		return plan, o, err
	}
	o.recreateVolumes = map[string]bool{}
	for _, d := range plan.keptVolumes {
		if o.Confirm(d.question()) {
			o.recreateVolumes[d.key] = true
		}
	}
	if len(o.recreateVolumes) == 0 {
		return plan, o, nil
	}
	plan, err = NewPlan(p, st, o)
	return plan, o, err
}
