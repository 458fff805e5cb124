package engine

import (
	"context"
	"io"

	"github.com/moby/moby/api/types/swarm"
)

// Swarm is the part of a Docker Engine that a Swarm manager answers:
// services, their tasks, overlay networks, secrets and configs. It is a
// contract of its own, apart from Engine, because a stack deploy talks to
// a manager and needs nothing of the container calls, and because neither
// the fake nor an engine outside swarm mode has it. The stack package is
// its one consumer; engine/docker implements it.
//
// The values are the Engine API's own swarm types: the spec berth sends
// is the spec the engine keeps, and the docker CLI reads it back.
type Swarm interface {
	// SwarmInfo says whether the engine is a swarm manager and how many
	// nodes the swarm has.
	SwarmInfo(ctx context.Context) (SwarmInfo, error)
	Nodes(ctx context.Context) ([]swarm.Node, error)

	// ListServices returns the services labelled with the stack
	// (com.docker.stack.namespace); an empty stack lists every service.
	ListServices(ctx context.Context, stack string) ([]swarm.Service, error)
	CreateService(ctx context.Context, spec swarm.ServiceSpec) (id string, warnings []string, err error)
	UpdateService(ctx context.Context, id string, version swarm.Version, spec swarm.ServiceSpec) (warnings []string, err error)
	RemoveService(ctx context.Context, id string) error
	// ListTasks returns the tasks of the stack's services.
	ListTasks(ctx context.Context, stack string) ([]swarm.Task, error)
	// ServiceLogs streams a service's logs, multiplexed as the engine sends
	// them (stdout and stderr frames) unless the service has a TTY.
	ServiceLogs(ctx context.Context, id string, opts LogOptions) (io.ReadCloser, error)

	ListStackNetworks(ctx context.Context, stack string) ([]SwarmNetwork, error)
	CreateStackNetwork(ctx context.Context, n SwarmNetwork) (id string, err error)
	RemoveStackNetwork(ctx context.Context, id string) error

	ListSecrets(ctx context.Context, stack string) ([]swarm.Secret, error)
	CreateSecret(ctx context.Context, spec swarm.SecretSpec) (id string, err error)
	RemoveSecret(ctx context.Context, id string) error
	ListConfigs(ctx context.Context, stack string) ([]swarm.Config, error)
	CreateConfig(ctx context.Context, spec swarm.ConfigSpec) (id string, err error)
	RemoveConfig(ctx context.Context, id string) error

	// SwarmChanges sends each engine event that may change the state of
	// the stack's tasks: a service update, a container of the stack
	// starting, dying or changing health. Engine API 1.41 sends no event
	// for a task on another node, so a waiter also looks again now and
	// then.
	SwarmChanges(ctx context.Context, stack string) (<-chan SwarmChange, <-chan error)
}

// SwarmChange is one such event. A task's container that died says so
// with its exit code: the manager may learn of the failure seconds later.
type SwarmChange struct {
	TaskID   string
	Died     bool
	ExitCode int
}

// SwarmInfo is the engine's place in a swarm.
type SwarmInfo struct {
	// LocalNodeState is "inactive", "pending", "active", "error" or "locked".
	LocalNodeState string
	// Manager is true when this engine can change the swarm's services.
	Manager bool
	Nodes   int
	NodeID  string
}

// SwarmNetwork is a network of a stack: an overlay network (or another
// swarm-scoped driver) with its labels.
type SwarmNetwork struct {
	ID         string
	Name       string
	Driver     string
	Attachable bool
	Internal   bool
	Options    map[string]string
	Labels     map[string]string
	IPAM       []IPAMPool
}

// IPAMPool is one subnet of a network's IPAM config.
type IPAMPool struct {
	Subnet, Gateway, IPRange string
}
