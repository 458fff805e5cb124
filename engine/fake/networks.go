package fake

import (
	"context"
	"maps"
	"slices"
	"strings"

	"berth/network"
	"berth/project"
)

// netw is one network.
type netw struct {
	id, name, driver string
	spec             network.Spec
	labels           map[string]string
}

func (n *netw) info() network.Info {
	return network.Info{ID: n.id, Name: n.name, Driver: n.driver, Labels: maps.Clone(n.labels)}
}

// lookupNetwork finds a network by name, ID or unique ID prefix. Callers
// hold e.mu.
func (e *Engine) lookupNetwork(ref string) *netw {
	if n, ok := e.networks[ref]; ok {
		return n
	}
	var prefixed *netw
	count := 0
	for _, n := range e.networks {
		if n.name == ref {
			return n
		}
		if ref != "" && strings.HasPrefix(n.id, ref) {
			prefixed, count = n, count+1
		}
	}
	if count == 1 {
		return prefixed
	}
	return nil
}

func (e *Engine) findNetwork(ref string) (*netw, error) {
	if n := e.lookupNetwork(ref); n != nil {
		return n, nil
	}
	return nil, wrap("network", ref, notFound("network %s not found", ref))
}

// InspectNetwork reports one network.
func (e *Engine) InspectNetwork(ctx context.Context, name string) (network.Info, error) {
	if err := e.enter(ctx, "InspectNetwork", name); err != nil {
		return network.Info{}, wrap("network", name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	n, err := e.findNetwork(name)
	if err != nil {
		return network.Info{}, err
	}
	return n.info(), nil
}

// CreateNetwork creates a network; its name must be free.
func (e *Engine) CreateNetwork(ctx context.Context, spec network.Spec) (string, error) {
	if err := e.enter(ctx, "CreateNetwork", spec.Name); err != nil {
		return "", wrap("network", spec.Name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.networks {
		if n.name == spec.Name {
			return "", wrap("network", spec.Name, conflict("network with name %s already exists", spec.Name))
		}
	}
	n := &netw{id: newID(), name: spec.Name, driver: spec.Driver, spec: spec, labels: maps.Clone(spec.Labels)}
	if n.driver == "" {
		n.driver = "bridge"
	}
	e.networks[n.id] = n
	return n.id, nil
}

// RemoveNetwork removes a network no running container uses.
func (e *Engine) RemoveNetwork(ctx context.Context, name string) error {
	if err := e.enter(ctx, "RemoveNetwork", name); err != nil {
		return wrap("network", name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	n, err := e.findNetwork(name)
	if err != nil {
		return err
	}
	if n.name == "bridge" || n.name == "host" || n.name == "none" {
		return wrap("network", name, plain("%s is a pre-defined network and cannot be removed", n.name))
	}
	for _, c := range e.containers {
		if _, ok := c.networks[n.name]; ok && c.running() {
			return wrap("network", name, plain("error while removing network: network %s id %s has active endpoints", n.name, n.id))
		}
	}
	delete(e.networks, n.id)
	return nil
}

// ListNetworks reports the project's networks, sorted by name.
func (e *Engine) ListNetworks(ctx context.Context, proj string) ([]network.Info, error) {
	if err := e.enter(ctx, "ListNetworks", proj); err != nil {
		return nil, wrap("project", proj, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []network.Info
	for _, n := range e.networks {
		if n.labels[project.LabelProject] == proj {
			out = append(out, n.info())
		}
	}
	slices.SortFunc(out, func(a, b network.Info) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// lockEndpoint is lockContainer that also finds the network: both ends of
// a connect or disconnect. On success the caller holds e.mu.
func (e *Engine) lockEndpoint(ctx context.Context, method, netName, ctr string) (*container, *netw, error) {
	c, err := e.lockContainer(ctx, method, ctr)
	if err != nil {
		return nil, nil, err
	}
	n, err := e.findNetwork(netName)
	if err != nil {
		e.mu.Unlock()
		return nil, nil, err
	}
	return c, n, nil
}

// ConnectNetwork attaches a container to a network.
func (e *Engine) ConnectNetwork(ctx context.Context, netName, ctr string, ep network.Endpoint) error {
	c, n, err := e.lockEndpoint(ctx, "ConnectNetwork", netName, ctr)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	if _, ok := c.networks[n.name]; ok {
		return wrap("container", ctr, plain("endpoint with name %s already exists in network %s", c.name, n.name))
	}
	if _, ok := c.networks["host"]; ok || len(c.networks) == 0 || c.networks["none"].Network != "" {
		return wrap("container", ctr, plain("container sharing network namespace with another container or host cannot be connected to any other network"))
	}
	ep.Network = n.name
	c.networks[n.name] = ep
	return nil
}

// DisconnectNetwork detaches a container from a network.
func (e *Engine) DisconnectNetwork(ctx context.Context, netName, ctr string) error {
	c, n, err := e.lockEndpoint(ctx, "DisconnectNetwork", netName, ctr)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	if _, ok := c.networks[n.name]; !ok {
		return wrap("container", ctr, plain("container %s is not connected to network %s", c.id, n.name))
	}
	delete(c.networks, n.name)
	if c.running() {
		e.disconnectedLocked(n.name, c.id)
	}
	return nil
}
