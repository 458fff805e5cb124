package docker

import (
	"context"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"

	"berth/project"
	"berth/reconciler"
)

// InspectVolume reports the volume called name.
func (e *Engine) InspectVolume(ctx context.Context, name string) (reconciler.Volume, error) {
	res, err := e.cli.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return reconciler.Volume{}, wrap("volume", name, err)
	}
	return volumeOf(res.Volume), nil
}

// CreateVolume creates the volume. The engine answers an existing name
// with that volume rather than an error, as long as the driver matches.
func (e *Engine) CreateVolume(ctx context.Context, spec reconciler.VolumeSpec) (reconciler.Volume, error) {
	res, err := e.cli.VolumeCreate(ctx, client.VolumeCreateOptions{
		Name: spec.Name, Driver: spec.Driver, DriverOpts: spec.DriverOpts, Labels: spec.Labels,
	})
	if err != nil {
		return reconciler.Volume{}, wrap("volume", spec.Name, err)
	}
	return volumeOf(res.Volume), nil
}

// ListVolumes lists the project's volumes, sorted by name.
func (e *Engine) ListVolumes(ctx context.Context, projectName string) ([]reconciler.Volume, error) {
	filters := make(client.Filters).Add("label", project.LabelProject+"="+projectName)
	res, err := e.cli.VolumeList(ctx, client.VolumeListOptions{Filters: filters})
	if err != nil {
		return nil, wrap("project", projectName, err)
	}
	var out []reconciler.Volume
	for _, v := range res.Items {
		out = append(out, volumeOf(v))
	}
	slices.SortFunc(out, func(a, b reconciler.Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// RemoveVolume removes the volume; one still in use stays, with the
// engine's reason.
func (e *Engine) RemoveVolume(ctx context.Context, name string) error {
	_, err := e.cli.VolumeRemove(ctx, name, client.VolumeRemoveOptions{})
	return wrap("volume", name, err)
}

func volumeOf(v volume.Volume) reconciler.Volume {
	return reconciler.Volume{Name: v.Name, Driver: v.Driver, Labels: v.Labels, Mountpoint: v.Mountpoint}
}
