package docker

import (
	"context"
	"io"
	"net/netip"
	"strconv"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"berth/engine"
)

var _ engine.Swarm = (*Engine)(nil)

// stackLabel is docker stack's label, by which a stack's objects are found.
const stackLabel = "com.docker.stack.namespace"

// stackFilter selects a stack's objects; an empty stack selects all.
func stackFilter(stack string) client.Filters {
	f := make(client.Filters)
	if stack != "" {
		f.Add("label", stackLabel+"="+stack)
	}
	return f
}

// SwarmInfo reads the engine's swarm state from /info.
func (e *Engine) SwarmInfo(ctx context.Context) (engine.SwarmInfo, error) {
	res, err := e.cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return engine.SwarmInfo{}, wrap("swarm", "info", err)
	}
	s := res.Info.Swarm
	return engine.SwarmInfo{LocalNodeState: string(s.LocalNodeState), Manager: s.ControlAvailable, Nodes: s.Nodes, NodeID: s.NodeID}, nil
}

// Nodes lists the swarm's nodes.
func (e *Engine) Nodes(ctx context.Context) ([]swarm.Node, error) {
	res, err := e.cli.NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		return nil, wrap("swarm", "nodes", err)
	}
	return res.Items, nil
}

// ListServices lists the stack's services.
func (e *Engine) ListServices(ctx context.Context, stack string) ([]swarm.Service, error) {
	res, err := e.cli.ServiceList(ctx, client.ServiceListOptions{Filters: stackFilter(stack), Status: true})
	if err != nil {
		return nil, wrap("services of stack", stack, err)
	}
	return res.Items, nil
}

// CreateService creates a service; the engine pulls the image on each node.
func (e *Engine) CreateService(ctx context.Context, spec swarm.ServiceSpec) (string, []string, error) {
	res, err := e.cli.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: spec})
	if err != nil {
		return "", nil, wrap("service", spec.Name, err)
	}
	return res.ID, res.Warnings, nil
}

// UpdateService replaces a service's spec at the version observed.
func (e *Engine) UpdateService(ctx context.Context, id string, version swarm.Version, spec swarm.ServiceSpec) ([]string, error) {
	res, err := e.cli.ServiceUpdate(ctx, id, client.ServiceUpdateOptions{Version: version, Spec: spec})
	if err != nil {
		return nil, wrap("service", spec.Name, err)
	}
	return res.Warnings, nil
}

// RemoveService removes a service and, with it, its tasks.
func (e *Engine) RemoveService(ctx context.Context, id string) error {
	_, err := e.cli.ServiceRemove(ctx, id, client.ServiceRemoveOptions{})
	return wrap("service", id, err)
}

// ListTasks lists the tasks of the stack's services.
func (e *Engine) ListTasks(ctx context.Context, stack string) ([]swarm.Task, error) {
	res, err := e.cli.TaskList(ctx, client.TaskListOptions{Filters: stackFilter(stack)})
	if err != nil {
		return nil, wrap("tasks of stack", stack, err)
	}
	return res.Items, nil
}

// ServiceLogs streams a service's logs as the engine multiplexes them.
func (e *Engine) ServiceLogs(ctx context.Context, id string, o engine.LogOptions) (io.ReadCloser, error) {
	rc, err := e.cli.ServiceLogs(ctx, id, client.ServiceLogsOptions{ShowStdout: true, ShowStderr: true,
		Follow: o.Follow, Tail: o.Tail, Since: o.Since, Until: o.Until, Timestamps: o.Timestamps})
	if err != nil {
		return nil, wrap("logs of service", id, err)
	}
	return rc, nil
}

// ListStackNetworks lists the stack's networks.
func (e *Engine) ListStackNetworks(ctx context.Context, stack string) ([]engine.SwarmNetwork, error) {
	res, err := e.cli.NetworkList(ctx, client.NetworkListOptions{Filters: stackFilter(stack)})
	if err != nil {
		return nil, wrap("networks of stack", stack, err)
	}
	var out []engine.SwarmNetwork
	for _, n := range res.Items {
		out = append(out, engine.SwarmNetwork{ID: n.ID, Name: n.Name, Driver: n.Driver, Attachable: n.Attachable,
			Internal: n.Internal, Options: n.Options, Labels: n.Labels})
	}
	return out, nil
}

// CreateStackNetwork creates a swarm-scoped network.
func (e *Engine) CreateStackNetwork(ctx context.Context, n engine.SwarmNetwork) (string, error) {
	opts := client.NetworkCreateOptions{Driver: n.Driver, Scope: "swarm", Attachable: n.Attachable,
		Internal: n.Internal, Options: n.Options, Labels: n.Labels}
	if len(n.IPAM) > 0 {
		ipam := &network.IPAM{}
		for _, p := range n.IPAM {
			var c network.IPAMConfig
			c.Subnet, _ = netip.ParsePrefix(p.Subnet)
			c.IPRange, _ = netip.ParsePrefix(p.IPRange)
			c.Gateway, _ = netip.ParseAddr(p.Gateway)
			ipam.Config = append(ipam.Config, c)
		}
		opts.IPAM = ipam
	}
	res, err := e.cli.NetworkCreate(ctx, n.Name, opts)
	if err != nil {
		return "", wrap("network", n.Name, err)
	}
	return res.ID, nil
}

// RemoveStackNetwork removes a network by ID.
func (e *Engine) RemoveStackNetwork(ctx context.Context, id string) error {
	_, err := e.cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
	return wrap("network", id, err)
}

// ListSecrets lists the stack's secrets (their values never leave the swarm).
func (e *Engine) ListSecrets(ctx context.Context, stack string) ([]swarm.Secret, error) {
	res, err := e.cli.SecretList(ctx, client.SecretListOptions{Filters: stackFilter(stack)})
	if err != nil {
		return nil, wrap("secrets of stack", stack, err)
	}
	return res.Items, nil
}

// CreateSecret creates a secret.
func (e *Engine) CreateSecret(ctx context.Context, spec swarm.SecretSpec) (string, error) {
	res, err := e.cli.SecretCreate(ctx, client.SecretCreateOptions{Spec: spec})
	if err != nil {
		return "", wrap("secret", spec.Name, err)
	}
	return res.ID, nil
}

// RemoveSecret removes a secret no service uses.
func (e *Engine) RemoveSecret(ctx context.Context, id string) error {
	_, err := e.cli.SecretRemove(ctx, id, client.SecretRemoveOptions{})
	return wrap("secret", id, err)
}

// ListConfigs lists the stack's configs.
func (e *Engine) ListConfigs(ctx context.Context, stack string) ([]swarm.Config, error) {
	res, err := e.cli.ConfigList(ctx, client.ConfigListOptions{Filters: stackFilter(stack)})
	if err != nil {
		return nil, wrap("configs of stack", stack, err)
	}
	return res.Items, nil
}

// CreateConfig creates a config.
func (e *Engine) CreateConfig(ctx context.Context, spec swarm.ConfigSpec) (string, error) {
	res, err := e.cli.ConfigCreate(ctx, client.ConfigCreateOptions{Spec: spec})
	if err != nil {
		return "", wrap("config", spec.Name, err)
	}
	return res.ID, nil
}

// RemoveConfig removes a config no service uses.
func (e *Engine) RemoveConfig(ctx context.Context, id string) error {
	_, err := e.cli.ConfigRemove(ctx, id, client.ConfigRemoveOptions{})
	return wrap("config", id, err)
}

// SwarmChanges signals service events and the events of the stack's
// containers (start, die, health) on this node.
func (e *Engine) SwarmChanges(ctx context.Context, stack string) (<-chan engine.SwarmChange, <-chan error) {
	services := e.cli.Events(ctx, client.EventsListOptions{Filters: make(client.Filters).Add("type", "service")})
	containers := e.cli.Events(ctx, client.EventsListOptions{Filters: make(client.Filters).Add("type", "container").Add("label", stackLabel+"="+stack)})
	signal := func(m events.Message) (engine.SwarmChange, bool) {
		c := engine.SwarmChange{TaskID: m.Actor.Attributes["com.docker.swarm.task.id"]}
		if m.Action == events.ActionDie {
			c.Died = true
			c.ExitCode, _ = strconv.Atoi(m.Actor.Attributes["exitCode"])
		}
		return c, true
	}
	a, aerr := relay(ctx, services, signal, "service events of stack", stack)
	b, berr := relay(ctx, containers, signal, "container events of stack", stack)
	return merge(ctx, a, b), merge(ctx, aerr, berr)
}

// merge forwards two channels into one, closed when both are.
func merge[T any](ctx context.Context, a, b <-chan T) <-chan T {
	out := make(chan T, eventBuffer)
	go func() {
		defer close(out)
		for a != nil || b != nil {
			var v T
			var ok bool
			select {
			case v, ok = <-a:
				if !ok {
					a = nil
					continue
				}
			case v, ok = <-b:
				if !ok {
					b = nil
					continue
				}
			case <-ctx.Done():
				return
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
