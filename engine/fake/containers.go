package fake

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// container is one container and its current run.
type container struct {
	id, name     string
	spec         engine.ContainerSpec
	imageID      string
	created      time.Time
	state        engine.State
	health       engine.Health
	exitCode     int
	startedAt    time.Time
	finishedAt   time.Time
	restartCount int
	networks     map[string]network.Endpoint // by network name
	mounts       []engine.Mount              // anonymous volumes named
	files        map[string]string           // its own filesystem
	logs         []logLine
	attached     map[*attachment]struct{}
	waiters      []chan int
	ports        []engine.Port // while running
	gen          int           // the current run; a stale run's doings are dropped
	stop         chan struct{} // closed when the current run ends
	manual       bool          // ended by stop or kill: no policy restart
	removed      bool
}

// lookup finds a container by ID, name or unique ID prefix, as the engine
// does. Callers hold e.mu.
func (e *Engine) lookup(ref string) *container {
	if ref == "" {
		return nil
	}
	if c, ok := e.containers[ref]; ok {
		return c
	}
	var prefixed *container
	n := 0
	for _, c := range e.containers {
		if c.name == strings.TrimPrefix(ref, "/") {
			return c
		}
		if strings.HasPrefix(c.id, ref) {
			prefixed, n = c, n+1
		}
	}
	if n == 1 {
		return prefixed
	}
	return nil
}

// find is lookup with the engine's not-found error.
func (e *Engine) find(ref string) (*container, error) {
	if c := e.lookup(ref); c != nil {
		return c, nil
	}
	return nil, wrap("container", ref, notFound("No such container: %s", ref))
}

// lockContainer lets a call on container id through the hooks, locks the
// engine and finds the container. On success the caller holds e.mu and
// unlocks it; on failure the engine is unlocked.
func (e *Engine) lockContainer(ctx context.Context, method, id string) (*container, error) {
	if err := e.enter(ctx, method, id); err != nil {
		return nil, wrap("container", id, err)
	}
	e.mu.Lock()
	c, err := e.find(id)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	return c, nil
}

// killLocked ends c's run with SIGKILL (137) as a stop by hand, which no
// restart policy undoes.
func (e *Engine) killLocked(c *container) {
	c.manual = true
	e.emitLocked(c, engine.Event{Action: engine.EventKill, Signal: "9"})
	e.dieLocked(c, 137)
}

// CreateContainer creates a container in state created.
func (e *Engine) CreateContainer(ctx context.Context, spec engine.ContainerSpec) (string, error) {
	if err := e.enter(ctx, "CreateContainer", spec.Name); err != nil {
		return "", wrap("container", spec.Name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := &container{id: newID(), name: spec.Name, created: time.Now(), state: engine.StateCreated,
		files: map[string]string{}, attached: map[*attachment]struct{}{}}
	if c.name == "" {
		c.name = "fake_" + c.id[:12]
	}
	if err := e.prepareLocked(c, spec); err != nil {
		return "", wrap("container", c.name, err)
	}
	e.containers[c.id] = c
	e.emitLocked(c, engine.Event{Action: engine.EventCreate})
	return c.id, nil
}

// prepareLocked checks what the spec refers to and fills c from it.
func (e *Engine) prepareLocked(c *container, spec engine.ContainerSpec) error {
	if err := spec.Unsupported(e.apiVersion); err != nil {
		return err
	}
	if other := e.lookup(c.name); other != nil && other.name == c.name {
		return conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "+
			"You have to remove (or rename) that container to be able to reuse that name.", c.name, other.id)
	}
	img := e.resolveImage(spec.Image)
	if img == nil {
		return notFound("No such image: %s", spec.Image)
	}
	nets, err := e.endpointsLocked(spec)
	if err != nil {
		return err
	}
	mounts, err := e.mountsLocked(spec)
	if err != nil {
		return err
	}
	c.spec, c.imageID, c.networks, c.mounts = cloneSpec(spec), img.id, nets, mounts
	return nil
}

// endpointsLocked resolves the networks the container joins.
func (e *Engine) endpointsLocked(spec engine.ContainerSpec) (map[string]network.Endpoint, error) {
	nets := map[string]network.Endpoint{}
	mode := spec.NetworkMode
	switch {
	case strings.HasPrefix(mode, "container:"):
		if e.lookup(strings.TrimPrefix(mode, "container:")) == nil {
			return nil, notFound("No such container: %s", strings.TrimPrefix(mode, "container:"))
		}
		return nets, nil
	case mode == "host" || mode == "none" || (mode == "bridge" || mode == "") && len(spec.Networks) == 0:
		if mode == "" {
			mode = "bridge"
		}
		nets[mode] = network.Endpoint{Network: mode}
		return nets, nil
	}
	for _, ep := range spec.Networks {
		n := e.lookupNetwork(ep.Network)
		if n == nil {
			return nil, notFound("network %s not found", ep.Network)
		}
		ep.Network = n.name
		nets[n.name] = ep
	}
	return nets, nil
}

// mountsLocked names anonymous volumes, creates missing named ones (the
// engine does) and adds the mounts of volumes_from containers.
func (e *Engine) mountsLocked(spec engine.ContainerSpec) ([]engine.Mount, error) {
	mounts := slices.Clone(spec.Mounts)
	for i, m := range mounts {
		if m.Type != "volume" {
			continue
		}
		if m.Source == "" {
			mounts[i].Source = e.createVolumeLocked(engine.VolumeSpec{}, true).name
		} else if _, ok := e.volumes[m.Source]; !ok {
			e.createVolumeLocked(engine.VolumeSpec{Name: m.Source}, false)
		}
	}
	for _, from := range spec.VolumesFrom {
		ref, mode, _ := strings.Cut(from, ":")
		src := e.lookup(ref)
		if src == nil {
			return nil, notFound("No such container: %s", ref)
		}
		for _, m := range src.mounts {
			if !slices.ContainsFunc(mounts, func(x engine.Mount) bool { return x.Target == m.Target }) {
				m.ReadOnly = m.ReadOnly || mode == "ro"
				mounts = append(mounts, m)
			}
		}
	}
	return mounts, nil
}

// cloneSpec copies what a caller might change after the call.
func cloneSpec(s engine.ContainerSpec) engine.ContainerSpec {
	s.Labels = maps.Clone(s.Labels)
	s.Environment = slices.Clone(s.Environment)
	s.Mounts = slices.Clone(s.Mounts)
	s.Networks = slices.Clone(s.Networks)
	s.Command = slices.Clone(s.Command)
	s.Entrypoint = slices.Clone(s.Entrypoint)
	s.Ports = slices.Clone(s.Ports)
	if s.Healthcheck != nil {
		hc := *s.Healthcheck
		hc.Test = slices.Clone(hc.Test)
		s.Healthcheck = &hc
	}
	return s
}

// InspectContainer reports one container.
func (e *Engine) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	c, err := e.lockContainer(ctx, "InspectContainer", id)
	if err != nil {
		return engine.Container{}, err
	}
	defer e.mu.Unlock()
	return e.viewLocked(c), nil
}

// ListContainers reports the project's containers, sorted by name, with
// the fields a real list fills (see engine.Container).
func (e *Engine) ListContainers(ctx context.Context, f engine.ContainerFilter) ([]engine.Container, error) {
	if err := e.enter(ctx, "ListContainers", f.Project); err != nil {
		return nil, wrap("project", f.Project, err)
	}
	if f.Project == "" {
		return nil, plain("list containers: no project given")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []engine.Container
	for _, c := range e.containers {
		if matches(c.spec.Labels, f) {
			out = append(out, e.listViewLocked(c))
		}
	}
	slices.SortFunc(out, func(a, b engine.Container) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func matches(labels map[string]string, f engine.ContainerFilter) bool {
	if labels[project.LabelProject] != f.Project {
		return false
	}
	if len(f.Services) > 0 && !slices.Contains(f.Services, labels[project.LabelService]) {
		return false
	}
	if f.OneOff != nil && (labels[project.LabelOneOff] == "True") != *f.OneOff {
		return false
	}
	return true
}

// RemoveContainer removes a container; force kills a running one first.
func (e *Engine) RemoveContainer(ctx context.Context, id string, opts engine.RemoveOptions) error {
	c, err := e.lockContainer(ctx, "RemoveContainer", id)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	if (c.running() || c.state == engine.StateRestarting) && !opts.Force {
		return wrap("container", id, plain("You cannot remove a %s container %s. "+
			"Stop the container before attempting removal or force remove", c.state, c.id))
	}
	if c.running() {
		e.killLocked(c)
	}
	c.state, c.removed = engine.StateExited, true
	delete(e.containers, c.id)
	if opts.Volumes {
		e.removeAnonymousLocked(c)
	}
	e.emitLocked(c, engine.Event{Action: engine.EventDestroy})
	return nil
}

// RenameContainer gives the container a new name, refused when another
// container holds it.
func (e *Engine) RenameContainer(ctx context.Context, id, newName string) error {
	c, err := e.lockContainer(ctx, "RenameContainer", id)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	if other := e.lookup(newName); other != nil && other.name == newName && other != c {
		return wrap("container", id, conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "+
			"You have to remove (or rename) that container to be able to reuse that name.", newName, other.id))
	}
	c.name = newName
	e.emitLocked(c, engine.Event{Action: engine.EventRename})
	return nil
}

// PauseContainer freezes a running container.
func (e *Engine) PauseContainer(ctx context.Context, id string) error {
	return e.setPaused(ctx, "PauseContainer", id, true)
}

// UnpauseContainer thaws a paused container.
func (e *Engine) UnpauseContainer(ctx context.Context, id string) error {
	return e.setPaused(ctx, "UnpauseContainer", id, false)
}

func (e *Engine) setPaused(ctx context.Context, method, id string, pause bool) error {
	c, err := e.lockContainer(ctx, method, id)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	switch {
	case pause && c.state == engine.StateRunning:
		c.state = engine.StatePaused
		e.emitLocked(c, engine.Event{Action: engine.EventPause})
	case !pause && c.state == engine.StatePaused:
		c.state = engine.StateRunning
		e.emitLocked(c, engine.Event{Action: engine.EventUnpause})
	case pause && c.state == engine.StatePaused:
		return wrap("container", id, plain("Container %s is already paused", c.id))
	case pause:
		return wrap("container", id, plain("Container %s is not running", c.id))
	default:
		return wrap("container", id, plain("Container %s is not paused", c.id))
	}
	return nil
}

// running says whether the container's process is up (paused counts).
func (c *container) running() bool {
	return c.state == engine.StateRunning || c.state == engine.StatePaused
}
