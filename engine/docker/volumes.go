package docker

import (
	"context"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/project"
)

// InspectVolume reports the volume called name.
func (e *Engine) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	res, err := e.cli.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return engine.Volume{}, wrap("volume", name, err)
	}
	return volumeOf(res.Volume), nil
}

// CreateVolume creates the volume. The engine answers an existing name
// with that volume rather than an error, as long as the driver matches.
func (e *Engine) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	res, err := e.cli.VolumeCreate(ctx, client.VolumeCreateOptions{
		Name: spec.Name, Driver: spec.Driver, DriverOpts: spec.DriverOpts, Labels: spec.Labels,
	})
	if err != nil {
		return engine.Volume{}, wrap("volume", spec.Name, err)
	}
	return volumeOf(res.Volume), nil
}

// ListVolumes lists the project's volumes, sorted by name.
func (e *Engine) ListVolumes(ctx context.Context, projectName string) ([]engine.Volume, error) {
	filters := make(client.Filters).Add("label", project.LabelProject+"="+projectName)
	res, err := e.cli.VolumeList(ctx, client.VolumeListOptions{Filters: filters})
	if err != nil {
		return nil, wrap("project", projectName, err)
	}
	var out []engine.Volume
	for _, v := range res.Items {
		out = append(out, volumeOf(v))
	}
	slices.SortFunc(out, func(a, b engine.Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// RemoveVolume removes the volume; one still in use stays, with the
// engine's reason.
func (e *Engine) RemoveVolume(ctx context.Context, name string) error {
	_, err := e.cli.VolumeRemove(ctx, name, client.VolumeRemoveOptions{})
	return wrap("volume", name, err)
}

func volumeOf(v volume.Volume) engine.Volume {
	return engine.Volume{Name: v.Name, Driver: v.Driver, Labels: v.Labels, Mountpoint: v.Mountpoint}
}
