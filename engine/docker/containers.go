package docker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"berth/engine"
	"berth/project"
)

// ListContainers lists the project's containers, sorted by name, in one
// list call: its answer carries every field but the inspect-only ones (see
// engine.Container). Several services are filtered here: the engine
// ANDs label filters.
func (e *Engine) ListContainers(ctx context.Context, f engine.ContainerFilter) ([]engine.Container, error) {
	filters := make(client.Filters).Add("label", project.LabelProject+"="+f.Project)
	if f.OneOff != nil {
		filters.Add("label", project.LabelOneOff+"="+oneOffValue(*f.OneOff))
	}
	if len(f.Services) == 1 {
		filters.Add("label", project.LabelService+"="+f.Services[0])
	}
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filters})
	if err != nil {
		return nil, wrap("project", f.Project, err)
	}
	var list []engine.Container
	for _, c := range res.Items {
		if len(f.Services) == 0 || slices.Contains(f.Services, c.Labels[project.LabelService]) {
			list = append(list, fromSummary(c))
		}
	}
	slices.SortFunc(list, func(a, b engine.Container) int { return strings.Compare(a.Name, b.Name) })
	return list, nil
}

// oneOffValue is how the oneoff label spells a bool.
func oneOffValue(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// InspectContainer reports one container.
func (e *Engine) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	res, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return engine.Container{}, wrap("container", id, err)
	}
	return fromInspect(res.Container, time.Now()), nil
}

// CreateContainer creates the container and, on engines that take one
// network at create, connects the others before returning, so the
// container is fully wired when it starts.
func (e *Engine) CreateContainer(ctx context.Context, spec engine.ContainerSpec) (string, error) {
	// An engine of an older API ignores (or, for some, refuses) the fields
	// of a feature it lacks: name the feature instead.
	if err := spec.Unsupported(e.apiVersion); err != nil {
		return "", wrap("container", spec.Name, err)
	}
	req, err := translate(spec, e.multiNetwork())
	if err != nil {
		return "", wrap("container", spec.Name, err)
	}
	e.pinNetworks(req.options.NetworkingConfig)
	id, err := e.create(ctx, spec, req)
	if err != nil {
		return "", wrap("container", spec.Name, err)
	}
	for _, ep := range req.connect {
		if err := e.connect(ctx, ep.Network, id, ep, spec.Links); err != nil {
			// A half-wired container would start on the wrong networks
			// and block the name; remove it so a retry starts clean.
			_, _ = e.cli.ContainerRemove(context.WithoutCancel(ctx), id, client.ContainerRemoveOptions{Force: true})
			return "", fmt.Errorf("container %q: %w", spec.Name, err)
		}
	}
	return id, nil
}

// create sends the create call and settles a name conflict with a create
// in flight (see nameConflictSettle).
func (e *Engine) create(ctx context.Context, spec engine.ContainerSpec, req createRequest) (string, error) {
	deadline := time.Now().Add(nameConflictSettle)
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, 500*time.Millisecond) {
		id, err := e.createOnce(ctx, spec, req)
		if err == nil || !errors.Is(classify(err), engine.ErrExists) {
			return id, err
		}
		// The name is taken. If a container answers to it, that one is the
		// caller's (ErrExists); if none does yet, another client's create
		// holds the name, and either registers its container or, failing,
		// frees the name for another try here.
		_, ierr := e.cli.ContainerInspect(ctx, spec.Name, client.ContainerInspectOptions{})
		if ierr == nil || !isNotFound(classify(ierr)) || time.Now().After(deadline) {
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", err
		case <-time.After(delay): // the engine sends no event when a name is reserved or freed
		}
	}
}

// nameConflictSettle bounds the wait for another client's create of the
// same name: an engine reserves the name first and registers the container
// only once its filesystem is prepared; until then the name conflicts while
// an inspect of it finds nothing (Engine 29, with the containerd image
// store, for a few hundred milliseconds under load).
const nameConflictSettle = 15 * time.Second

// createOnce sends the create call, the client's way unless an old engine
// needs the MAC address where only it still reads it.
func (e *Engine) createOnce(ctx context.Context, spec engine.ContainerSpec, req createRequest) (string, error) {
	if mac := e.legacyMac(spec); mac != "" {
		return e.createLegacy(ctx, req.options, mac)
	}
	res, err := e.cli.ContainerCreate(ctx, req.options)
	return res.ID, err
}

// StartContainer starts a created or stopped container.
func (e *Engine) StartContainer(ctx context.Context, id string) error {
	_, err := e.cli.ContainerStart(ctx, id, client.ContainerStartOptions{})
	return wrap("container", id, err)
}

// StopContainer stops the container; grace is rounded up to whole seconds.
func (e *Engine) StopContainer(ctx context.Context, id string, grace *time.Duration) error {
	var opts client.ContainerStopOptions
	if grace == nil {
		grace = e.ownStopTimeout(ctx, id)
	}
	if grace != nil {
		secs := int(math.Ceil(grace.Seconds()))
		opts.Timeout = &secs
	}
	_, err := e.cli.ContainerStop(ctx, id, opts)
	return wrap("container", id, err)
}

// ownStopTimeout is the stop timeout the container was created with, or nil
// for the engine's default. Passing it explicitly gives the stop call's
// deadline (deadline.go) the grace the engine will wait: it answers a stop
// only once the container is down.
func (e *Engine) ownStopTimeout(ctx context.Context, id string) *time.Duration {
	res, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil || res.Container.Config == nil || res.Container.Config.StopTimeout == nil {
		return nil
	}
	d := time.Duration(*res.Container.Config.StopTimeout) * time.Second
	return &d
}

// KillContainer sends signal ("" is SIGKILL).
func (e *Engine) KillContainer(ctx context.Context, id, signal string) error {
	_, err := e.cli.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: signal})
	return wrap("container", id, err)
}

// RemoveContainer removes the container.
func (e *Engine) RemoveContainer(ctx context.Context, id string, opts engine.RemoveOptions) error {
	_, err := e.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: opts.Force, RemoveVolumes: opts.Volumes})
	return wrap("container", id, err)
}

// RenameContainer gives the container a new name.
func (e *Engine) RenameContainer(ctx context.Context, id, newName string) error {
	_, err := e.cli.ContainerRename(ctx, id, client.ContainerRenameOptions{NewName: newName})
	return wrap("container", id, err)
}

// PauseContainer freezes the container's processes.
func (e *Engine) PauseContainer(ctx context.Context, id string) error {
	_, err := e.cli.ContainerPause(ctx, id, client.ContainerPauseOptions{})
	return wrap("container", id, err)
}

// UnpauseContainer thaws them.
func (e *Engine) UnpauseContainer(ctx context.Context, id string) error {
	_, err := e.cli.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{})
	return wrap("container", id, err)
}
