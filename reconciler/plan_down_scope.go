package reconciler

import (
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

// downScope is what `down SERVICE...` leaves in place: the other services
// of the project and their containers. Like Docker Compose, down takes the
// named services and every service that depends on them, so nothing is left
// running without what it needs. A network or volume goes only when nothing
// that stays uses it; the whole project's down keeps nothing.
type downScope struct {
	services   []string           // the services that stay, sorted
	containers []engine.Container // their containers
}

// scopeDown splits the observed containers into those down removes (the
// returned state; orphans stay in it for --remove-orphans) and those it
// keeps.
func scopeDown(p *types.Project, st Observed, services []string) (Observed, downScope) {
	if len(services) == 0 {
		return st, downScope{}
	}
	taken := project.WithDependents(p, services, func(types.ServiceDependency) bool { return true })
	var keep downScope
	for _, name := range p.ServiceNames() {
		if !slices.Contains(taken, name) {
			keep.services = append(keep.services, name)
		}
	}
	slices.Sort(keep.services)
	var down []engine.Container
	for _, c := range st.Containers {
		if slices.Contains(keep.services, c.Labels[project.LabelService]) {
			keep.containers = append(keep.containers, c)
		} else {
			down = append(down, c)
		}
	}
	st.Containers = down
	return st, keep
}

// keepsNetwork says whether a service or container that stays uses the
// network (key in the file, name on the engine).
func (k downScope) keepsNetwork(ds *desiredSet, key, name string) bool {
	if slices.Contains(ds.usedNetworks(k.services), key) {
		return true
	}
	return slices.ContainsFunc(k.containers, func(c engine.Container) bool { return slices.Contains(c.Networks, name) })
}

// keepsVolume says whether a service or container that stays uses the
// volume (key in the file, name on the engine).
func (k downScope) keepsVolume(p *types.Project, key, name string) bool {
	for _, svc := range k.services {
		for _, v := range p.Services[svc].Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source == key {
				return true
			}
		}
	}
	return slices.ContainsFunc(k.containers, func(c engine.Container) bool {
		return slices.ContainsFunc(c.Mounts, func(m engine.Mount) bool { return m.Type == "volume" && m.Source == name })
	})
}

// keepsImage says whether a service that stays runs the image.
func (k downScope) keepsImage(p *types.Project, ref string) bool {
	return slices.ContainsFunc(k.services, func(svc string) bool { return project.ImageName(p, p.Services[svc]) == ref })
}
