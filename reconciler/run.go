package reconciler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"

	"berth/engine"
)

// RunOptions are the choices of `run`, as the command line gives them; the
// rules of a one-off (its name, labels, what replaces the service's
// settings, when it is removed) are this file's and NewRunPlan's.
type RunOptions struct {
	Service string
	Name    string // --name; "" gives <project>-<service>-run-<slug>
	Slug    string // 64 hex digits (NewSlug); the name uses the first 12
	NoDeps  bool   // do not start what the service depends on
	Build   bool
	Pull    string // --pull: overrides the services' pull_policy ("policy": keep it)
	Detach  bool
	// Remove is --rm: the engine removes a detached one-off once it exits;
	// an attached one is removed by the caller (RemoveOnExit).
	Remove bool
	// Interactive is -i: the one-off's stdin stays open; attached, the end
	// of berth's stdin closes it.
	Interactive bool
	// TTY says the caller has a terminal to give the one-off (no -T, stdin
	// is a terminal). A detached one-off never gets one.
	TTY bool

	Command    []string // replaces the service's command when not empty
	Entrypoint *string  // --entrypoint, read as shell words; nil keeps the service's
	// Env is -e: "K=V", "K=" (empty), or "K", which takes K's value from
	// the project's environment (the shell, then .env) and, set in
	// neither, is left out, so the service's own K stays (Docker Compose's
	// rule).
	Env     []string
	User    string
	Workdir string
	// ServicePorts publishes the service's ports; without it a one-off
	// publishes only Publish, so it does not collide with the service.
	ServicePorts bool
	Publish      []string // --publish specs
	Volumes      []string // --volume specs
	Labels       []string // "K=V"
	CapAdd       []string // --cap-add
	CapDrop      []string // --cap-drop
	// RemoveOrphans removes the containers of services the file no longer
	// has; otherwise they are named in a warning, unless IgnoreOrphans.
	RemoveOrphans bool
	IgnoreOrphans bool

	// InjectKey is UpOptions.InjectKey, for the one-off and the
	// dependencies run creates.
	InjectKey []byte
	// ProxyEnv is UpOptions.ProxyEnv; -e and the service's environment win.
	ProxyEnv map[string]string
}

// NewSlug is a one-off's random ID: 64 hex digits, like a container ID.
func NewSlug() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// RemoveOnExit says whether the caller removes the one-off (and its
// anonymous volumes) once it has exited: --rm when attached.
func (o RunOptions) RemoveOnExit() bool { return o.Remove && !o.Detach }

// RunPlan observes the engine and plans `run` (NewRunPlan).
func RunPlan(ctx context.Context, eng engine.Engine, p *types.Project, o RunOptions) (Plan, engine.ContainerSpec, error) {
	st, err := Observe(ctx, eng, p)
	if err != nil {
		return Plan{}, engine.ContainerSpec{}, err
	}
	return NewRunPlan(p, st, o)
}

// RemoveOneOff removes an exited one-off with its anonymous volumes (run
// --rm). It runs after the command has ended, so it outlives a cancelled ctx.
func RemoveOneOff(ctx context.Context, eng engine.Engine, name string) error {
	return eng.RemoveContainer(context.WithoutCancel(ctx), name, engine.RemoveOptions{Force: true, Volumes: true})
}

// service is the service as the one-off runs it: the options replace its
// command, entrypoint, user and working directory, add to its environment,
// labels and volumes, and decide its ports and terminal. A one-off runs
// once: no restart policy, no deploy section.
func (o RunOptions) service(p *types.Project) (types.ServiceConfig, error) {
	s, ok := p.Services[o.Service]
	if !ok {
		return s, fmt.Errorf("no such service: %s", o.Service)
	}
	if len(o.Command) > 0 {
		s.Command = o.Command
	}
	if o.Entrypoint != nil {
		words, err := shellwords.Parse(*o.Entrypoint)
		if err != nil {
			return s, fmt.Errorf("invalid --entrypoint %q: %w", *o.Entrypoint, err)
		}
		s.Entrypoint = words
	}
	s.Environment = maps.Clone(s.Environment)
	if s.Environment == nil {
		s.Environment = types.MappingWithEquals{}
	}
	s.Environment.OverrideBy(types.NewMappingWithEquals(o.Env).Resolve(p.Environment.Resolve).RemoveEmpty())
	if o.User != "" {
		s.User = o.User
	}
	if o.Workdir != "" {
		s.WorkingDir = o.Workdir
	}
	var err error
	if s.Ports, err = o.ports(s.Ports); err != nil {
		return s, err
	}
	if s.Volumes, err = o.volumes(s.Volumes); err != nil {
		return s, err
	}
	s.Labels = maps.Clone(s.Labels)
	for _, l := range o.Labels {
		k, v, _ := strings.Cut(l, "=")
		s.Labels = s.Labels.Add(k, v)
	}
	s.CapAdd = append(slices.Clone(s.CapAdd), o.CapAdd...)
	s.CapDrop = append(slices.Clone(s.CapDrop), o.CapDrop...)
	s.Tty = o.TTY && !o.Detach
	s.StdinOpen = o.Interactive
	s.Restart = ""
	s.Deploy = nil
	return s, nil
}

// ports are the one-off's published ports: the service's only with
// --service-ports, then those of --publish.
func (o RunOptions) ports(service []types.ServicePortConfig) ([]types.ServicePortConfig, error) {
	var out []types.ServicePortConfig
	if o.ServicePorts {
		out = slices.Clone(service)
	}
	for _, spec := range o.Publish {
		ports, err := types.ParsePortConfig(spec)
		if err != nil {
			return nil, fmt.Errorf("invalid --publish %q: %w", spec, err)
		}
		out = append(out, ports...)
	}
	return out, nil
}

// volumes are the service's volumes and those of --volume.
func (o RunOptions) volumes(service []types.ServiceVolumeConfig) ([]types.ServiceVolumeConfig, error) {
	out := service
	for _, spec := range o.Volumes {
		v, err := format.ParseVolume(spec)
		if err != nil {
			return nil, fmt.Errorf("invalid --volume %q: %w", spec, err)
		}
		out = append(slices.Clone(out), v)
	}
	return out, nil
}
