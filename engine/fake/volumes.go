package fake

import (
	"context"
	"maps"
	"slices"
	"strings"

	"berth/engine"
	"berth/project"
)

// volume is one volume and the files in it.
type volume struct {
	name, driver string
	labels       map[string]string
	opts         map[string]string
	files        map[string]string
	anonymous    bool
}

func (v *volume) info() engine.Volume {
	return engine.Volume{Name: v.name, Driver: v.driver, Labels: maps.Clone(v.labels),
		Mountpoint: "/var/lib/docker/volumes/" + v.name + "/_data"}
}

func (e *Engine) createVolumeLocked(spec engine.VolumeSpec, anonymous bool) *volume {
	v := &volume{name: spec.Name, driver: spec.Driver, labels: maps.Clone(spec.Labels),
		opts: maps.Clone(spec.DriverOpts), files: map[string]string{}, anonymous: anonymous}
	if v.name == "" {
		v.name = newID()
	}
	if v.driver == "" {
		v.driver = "local"
	}
	e.volumes[v.name] = v
	return v
}

// InspectVolume reports one volume.
func (e *Engine) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	if err := e.enter(ctx, "InspectVolume", name); err != nil {
		return engine.Volume{}, wrap("volume", name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.volumes[name]
	if !ok {
		return engine.Volume{}, wrap("volume", name, notFound("get %s: no such volume", name))
	}
	return v.info(), nil
}

// CreateVolume creates a volume; as with the engine, creating one that
// exists with the same driver returns it unchanged.
func (e *Engine) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	if err := e.enter(ctx, "CreateVolume", spec.Name); err != nil {
		return engine.Volume{}, wrap("volume", spec.Name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.volumes[spec.Name]; ok {
		if spec.Driver != "" && spec.Driver != v.driver {
			return engine.Volume{}, wrap("volume", spec.Name,
				plain("create %s: volume name already in use with driver %s", spec.Name, v.driver))
		}
		return v.info(), nil
	}
	return e.createVolumeLocked(spec, false).info(), nil
}

// ListVolumes reports the project's volumes, sorted by name.
func (e *Engine) ListVolumes(ctx context.Context, proj string) ([]engine.Volume, error) {
	if err := e.enter(ctx, "ListVolumes", proj); err != nil {
		return nil, wrap("project", proj, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []engine.Volume
	for _, name := range slices.Sorted(maps.Keys(e.volumes)) {
		if v := e.volumes[name]; v.labels[project.LabelProject] == proj {
			out = append(out, v.info())
		}
	}
	return out, nil
}

// RemoveVolume removes a volume no container uses.
func (e *Engine) RemoveVolume(ctx context.Context, name string) error {
	if err := e.enter(ctx, "RemoveVolume", name); err != nil {
		return wrap("volume", name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.volumes[name]; !ok {
		return wrap("volume", name, notFound("get %s: no such volume", name))
	}
	if users := e.volumeUsersLocked(name); len(users) > 0 {
		return wrap("volume", name, plain("remove %s: volume is in use - [%s]", name, strings.Join(users, ", ")))
	}
	delete(e.volumes, name)
	return nil
}

// volumeUsersLocked are the IDs of the containers that mount the volume.
func (e *Engine) volumeUsersLocked(name string) []string {
	var ids []string
	for _, c := range e.containers {
		for _, m := range c.mounts {
			if m.Type == "volume" && m.Source == name {
				ids = append(ids, c.id)
				break
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// removeAnonymousLocked removes the anonymous volumes of a removed
// container that no other container uses.
func (e *Engine) removeAnonymousLocked(c *container) {
	for _, m := range c.mounts {
		v, ok := e.volumes[m.Source]
		if m.Type == "volume" && ok && v.anonymous && len(e.volumeUsersLocked(v.name)) == 0 {
			delete(e.volumes, v.name)
		}
	}
}
