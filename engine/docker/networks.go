package docker

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	mnetwork "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// InspectNetwork reports the network called name. Engines before API 1.44
// may briefly hold two networks of one name while racing creators settle
// (see CreateNetwork); inspect then answers with the oldest, the one that
// stays.
func (e *Engine) InspectNetwork(ctx context.Context, name string) (network.Info, error) {
	res, err := e.cli.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	if err == nil {
		return e.settled(infoOf(res.Network.Network)), nil
	}
	if !strings.Contains(err.Error(), "ambiguous") {
		return network.Info{}, wrap("network", name, err)
	}
	oldest, lerr := e.oldestNetwork(ctx, name)
	if lerr != nil {
		return network.Info{}, lerr
	}
	return e.settled(infoOf(oldest)), nil
}

// settled remembers the network berth uses for its name (see networkIDs)
// on an engine where a name can be ambiguous; elsewhere the name is enough,
// and stays right should another run replace the network.
func (e *Engine) settled(n network.Info) network.Info {
	if !e.refusesDuplicateNetworks() {
		e.networkIDs.Store(n.Name, n.ID)
	}
	return n
}

// pinNetworks names each endpoint's network by the ID this run settled on,
// where it knows one.
func (e *Engine) pinNetworks(cfg *mnetwork.NetworkingConfig) {
	if cfg == nil {
		return
	}
	for name, es := range cfg.EndpointsConfig {
		if id, ok := e.networkIDs.Load(name); ok && es.NetworkID == "" {
			es.NetworkID = id.(string)
		}
	}
}

func infoOf(n mnetwork.Network) network.Info {
	return network.Info{ID: n.ID, Name: n.Name, Driver: n.Driver, Labels: n.Labels}
}

// CreateNetwork creates the network; a name already taken is ErrExists.
// Engines before API 1.44 do not refuse a duplicate name (the client can no
// longer ask them to), so after creating, berth keeps the oldest network of
// that name and removes its own if it lost: every concurrent creator agrees
// on the same survivor.
func (e *Engine) CreateNetwork(ctx context.Context, spec network.Spec) (string, error) {
	if spec.EnableIPv4 != nil && !*spec.EnableIPv4 && !engine.EnableIPv4.Supported(e.apiVersion) {
		return "", fmt.Errorf("network %s: enable_ipv4: false %s", spec.Name, engine.EnableIPv4.Needs(e.apiVersion))
	}
	opts, err := networkCreateOptions(spec)
	if err != nil {
		return "", wrap("network", spec.Name, err)
	}
	if e.refusesDuplicateNetworks() {
		res, err := e.cli.NetworkCreate(ctx, spec.Name, opts)
		return res.ID, wrap("network", spec.Name, err)
	}
	return e.createUnique(ctx, spec, opts)
}

// createUnique creates a network on an engine that accepts duplicate names.
// Creators in this process take turns and look before they create; a
// creator in another process is caught afterwards: of two networks with one
// name the oldest stays, and the loser removes its own and reports ErrExists.
func (e *Engine) createUnique(ctx context.Context, spec network.Spec, opts client.NetworkCreateOptions) (string, error) {
	mu, _ := e.networkLocks.LoadOrStore(spec.Name, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if _, err := e.oldestNetwork(ctx, spec.Name); err == nil {
		return "", networkExists(spec.Name)
	} else if !errors.Is(err, engine.ErrNotFound) {
		return "", err
	}
	res, err := e.cli.NetworkCreate(ctx, spec.Name, opts)
	if err != nil {
		return "", wrap("network", spec.Name, err)
	}
	oldest, err := e.oldestNetwork(ctx, spec.Name)
	if err != nil {
		return "", err
	}
	if oldest.ID == res.ID {
		e.networkIDs.Store(spec.Name, res.ID)
		return res.ID, nil
	}
	if _, err := e.cli.NetworkRemove(ctx, res.ID, client.NetworkRemoveOptions{}); err != nil {
		return "", wrap("network", spec.Name, err)
	}
	return "", networkExists(spec.Name)
}

// networkExists is the error of a create that found the name taken, in the
// words of newer engines.
func networkExists(name string) error {
	return wrap("network", name, &engineError{sentinel: engine.ErrExists,
		err: fmt.Errorf("network with name %s already exists", name)})
}

// oldestNetwork is the first-created network named exactly name (the
// engine's name filter matches substrings).
func (e *Engine) oldestNetwork(ctx context.Context, name string) (mnetwork.Network, error) {
	res, err := e.cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("name", name)})
	if err != nil {
		return mnetwork.Network{}, wrap("network", name, err)
	}
	var same []mnetwork.Network
	for _, n := range res.Items {
		if n.Name == name {
			same = append(same, n.Network)
		}
	}
	if len(same) == 0 {
		return mnetwork.Network{}, wrap("network", name, &engineError{sentinel: engine.ErrNotFound, err: fmt.Errorf("network %s not found", name)})
	}
	slices.SortFunc(same, olderFirst)
	return same[0], nil
}

// networkCreateOptions maps a network.Spec to the create call.
func networkCreateOptions(spec network.Spec) (client.NetworkCreateOptions, error) {
	opts := client.NetworkCreateOptions{
		Driver:     spec.Driver,
		Options:    spec.DriverOpts,
		Labels:     spec.Labels,
		Internal:   spec.Internal,
		Attachable: spec.Attachable,
	}
	if spec.EnableIPv6 {
		opts.EnableIPv6 = &spec.EnableIPv6
	}
	opts.EnableIPv4 = spec.EnableIPv4
	if spec.IPAM.Driver == "" && len(spec.IPAM.Configs) == 0 && len(spec.IPAM.Options) == 0 {
		return opts, nil
	}
	ipam := &mnetwork.IPAM{Driver: spec.IPAM.Driver, Options: spec.IPAM.Options}
	for _, c := range spec.IPAM.Configs {
		cfg, err := ipamConfig(c)
		if err != nil {
			return opts, err
		}
		ipam.Config = append(ipam.Config, cfg)
	}
	opts.IPAM = ipam
	return opts, nil
}

// ipamConfig parses one subnet's addresses.
func ipamConfig(c network.IPAMConfig) (mnetwork.IPAMConfig, error) {
	var out mnetwork.IPAMConfig
	var err error
	if c.Subnet != "" {
		if out.Subnet, err = netip.ParsePrefix(c.Subnet); err != nil {
			return out, fmt.Errorf("ipam subnet %q: %w", c.Subnet, err)
		}
	}
	if c.IPRange != "" {
		if out.IPRange, err = netip.ParsePrefix(c.IPRange); err != nil {
			return out, fmt.Errorf("ipam ip_range %q: %w", c.IPRange, err)
		}
	}
	for _, name := range sortedKeys(c.AuxAddresses) {
		addr, err := netip.ParseAddr(c.AuxAddresses[name])
		if err != nil {
			return out, fmt.Errorf("ipam aux_addresses %s %q: %w", name, c.AuxAddresses[name], err)
		}
		if out.AuxAddress == nil {
			out.AuxAddress = map[string]netip.Addr{}
		}
		out.AuxAddress[name] = addr
	}
	if c.Gateway != "" {
		if out.Gateway, err = netip.ParseAddr(c.Gateway); err != nil {
			return out, fmt.Errorf("ipam gateway %q: %w", c.Gateway, err)
		}
	}
	return out, nil
}

// RemoveNetwork removes the network.
func (e *Engine) RemoveNetwork(ctx context.Context, name string) error {
	_, err := e.cli.NetworkRemove(ctx, name, client.NetworkRemoveOptions{})
	if err != nil && strings.Contains(err.Error(), "is ambiguous") {
		err = e.removeDuplicates(ctx, name)
	}
	return wrap("network", name, err)
}

// removeDuplicates removes every network named name, by ID. Engines before
// API 1.44 accept two creates of one name from two processes at once (three
// `up` racing); by name, such a network could never be removed again.
func (e *Engine) removeDuplicates(ctx context.Context, name string) error {
	res, err := e.cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("name", name)})
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range res.Items {
		if n.Name != name { // the filter matches substrings
			continue
		}
		if _, err := e.cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ListNetworks lists the project's networks, sorted by name. Two networks
// of one name (racing creates on an engine before API 1.44) are reported
// once: the oldest, which berth keeps and joins by ID from then on, with
// the others' IDs as its Duplicates. On such engines every listed network
// is what this run joins from then on (see networkIDs).
func (e *Engine) ListNetworks(ctx context.Context, projectName string) ([]network.Info, error) {
	filters := make(client.Filters).Add("label", project.LabelProject+"="+projectName)
	res, err := e.cli.NetworkList(ctx, client.NetworkListOptions{Filters: filters})
	if err != nil {
		return nil, wrap("project", projectName, err)
	}
	nets := make([]mnetwork.Network, 0, len(res.Items))
	for _, n := range res.Items {
		nets = append(nets, n.Network)
	}
	slices.SortFunc(nets, func(a, b mnetwork.Network) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return olderFirst(a, b)
	})
	var out []network.Info
	for _, n := range nets {
		if k := len(out) - 1; k >= 0 && out[k].Name == n.Name {
			out[k].Duplicates = append(out[k].Duplicates, n.ID)
			continue
		}
		out = append(out, infoOf(n))
	}
	for _, n := range out {
		e.settled(n) // also replaces a pin to a network removed meanwhile
	}
	return out, nil
}

// olderFirst orders networks by creation, then ID: every run agrees on
// which of two networks of one name is the oldest.
func olderFirst(a, b mnetwork.Network) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// ConnectNetwork joins the container to the network; joining twice is ErrExists.
func (e *Engine) ConnectNetwork(ctx context.Context, networkName, containerID string, ep network.Endpoint) error {
	return e.connect(ctx, networkName, containerID, ep, nil)
}

// connect is ConnectNetwork with the legacy links the endpoint carries.
func (e *Engine) connect(ctx context.Context, networkName, containerID string, ep network.Endpoint, links []string) error {
	es, err := endpointSettings(ep, links)
	if err != nil {
		return wrap("network", networkName, err)
	}
	target := networkName
	if id, ok := e.networkIDs.Load(networkName); ok {
		target = id.(string) // see networkIDs
	}
	_, err = e.cli.NetworkConnect(ctx, target, client.NetworkConnectOptions{Container: containerID, EndpointConfig: es})
	if err != nil && strings.Contains(err.Error(), "already exists") {
		err = &engineError{sentinel: engine.ErrExists, err: err} // the engine answers 403 here
	}
	return wrap("network", networkName, err)
}

// DisconnectNetwork takes the container off the network.
func (e *Engine) DisconnectNetwork(ctx context.Context, networkName, containerID string) error {
	_, err := e.cli.NetworkDisconnect(ctx, networkName, client.NetworkDisconnectOptions{Container: containerID})
	return wrap("network", networkName, err)
}
