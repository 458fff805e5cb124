package docker

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	mnetwork "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/network"
)

// createRequest is one CreateContainer as the engine takes it: the create
// call, and the endpoints to connect afterwards on engines that accept only
// one network at create (API < 1.44).
type createRequest struct {
	options client.ContainerCreateOptions
	connect []network.Endpoint
}

// translate maps a ContainerSpec to the engine's create call. It is pure:
// no engine, no files. multiNetwork says whether the engine takes every
// endpoint at create.
func translate(spec engine.ContainerSpec, multiNetwork bool) (createRequest, error) {
	cfg, err := containerConfig(spec)
	if err != nil {
		return createRequest{}, err
	}
	host, err := hostConfig(spec)
	if err != nil {
		return createRequest{}, err
	}
	netCfg, rest, err := networkingConfig(spec, multiNetwork)
	if err != nil {
		return createRequest{}, err
	}
	opts := client.ContainerCreateOptions{Name: spec.Name, Config: cfg, HostConfig: host, NetworkingConfig: netCfg}
	if spec.Platform != "" {
		p, err := parsePlatform(spec.Platform)
		if err != nil {
			return createRequest{}, err
		}
		opts.Platform = &p
	}
	return createRequest{options: opts, connect: rest}, nil
}

// containerConfig is the portable part of the container: what runs and how.
func containerConfig(spec engine.ContainerSpec) (*container.Config, error) {
	exposed, err := exposedPorts(spec)
	if err != nil {
		return nil, err
	}
	return &container.Config{
		Image:        spec.Image,
		Entrypoint:   spec.Entrypoint,
		Cmd:          spec.Command,
		Hostname:     spec.Hostname,
		Domainname:   spec.Domainname,
		User:         spec.User,
		WorkingDir:   spec.WorkingDir,
		Env:          spec.Environment,
		Labels:       spec.Labels,
		Tty:          spec.Tty,
		OpenStdin:    spec.StdinOpen,
		AttachStdin:  spec.StdinOpen,
		StdinOnce:    spec.StdinOnce,
		AttachStdout: true,
		AttachStderr: true,
		ExposedPorts: exposed,
		StopSignal:   spec.StopSignal,
		StopTimeout:  stopTimeout(spec.StopTimeout),
		Healthcheck:  healthcheck(spec.Healthcheck),
	}, nil
}

// stopTimeout is the timeout in whole seconds, as the engine counts them.
func stopTimeout(d *time.Duration) *int {
	if d == nil {
		return nil
	}
	secs := int(d.Round(time.Second) / time.Second)
	return &secs
}

// healthcheck maps the probe; nil keeps the image's own.
func healthcheck(h *engine.Healthcheck) *container.HealthConfig {
	if h == nil {
		return nil
	}
	return &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
		StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
}

// exposedPorts are the container ports of ports: and expose: ("80/tcp",
// "8000-8010/udp").
func exposedPorts(spec engine.ContainerSpec) (mnetwork.PortSet, error) {
	set := mnetwork.PortSet{}
	for _, p := range spec.Ports {
		port, err := containerPort(p)
		if err != nil {
			return nil, err
		}
		set[port] = struct{}{}
	}
	for _, e := range spec.Expose {
		r, err := mnetwork.ParsePortRange(e)
		if err != nil {
			return nil, fmt.Errorf("expose %q: %w", e, err)
		}
		for port := range r.All() {
			set[port] = struct{}{}
		}
	}
	if len(set) == 0 {
		return nil, nil
	}
	return set, nil
}

// containerPort is the target of a ports: entry with its protocol.
func containerPort(p engine.PortBinding) (mnetwork.Port, error) {
	if p.Target == 0 || p.Target > 65535 {
		return mnetwork.Port{}, fmt.Errorf("ports: invalid container port %d", p.Target)
	}
	port, ok := mnetwork.PortFrom(uint16(p.Target), mnetwork.IPProtocol(strings.ToLower(p.Protocol)))
	if !ok {
		return mnetwork.Port{}, fmt.Errorf("ports: invalid protocol %q", p.Protocol)
	}
	return port, nil
}

// portBindings publishes ports: entries; a published range lets the engine
// pick a free host port in it.
func portBindings(ports []engine.PortBinding) (mnetwork.PortMap, error) {
	pm := mnetwork.PortMap{}
	for _, p := range ports {
		port, err := containerPort(p)
		if err != nil {
			return nil, err
		}
		var ip netip.Addr
		if p.HostIP != "" {
			if ip, err = netip.ParseAddr(p.HostIP); err != nil {
				return nil, fmt.Errorf("ports: host_ip %q: %w", p.HostIP, err)
			}
		}
		pm[port] = append(pm[port], mnetwork.PortBinding{HostIP: ip, HostPort: p.Published})
	}
	if len(pm) == 0 {
		return nil, nil
	}
	return pm, nil
}

// parseAddrs parses DNS server addresses.
func parseAddrs(field string, in []string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range in {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", field, s, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// hardwareAddr parses a MAC address; "" is none.
func hardwareAddr(s string) (mnetwork.HardwareAddr, error) {
	if s == "" {
		return nil, nil
	}
	hw, err := net.ParseMAC(s)
	if err != nil {
		return nil, fmt.Errorf("mac_address %q: %w", s, err)
	}
	return mnetwork.HardwareAddr(hw), nil
}
