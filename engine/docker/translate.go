package docker

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
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
	s := spec.Service
	exposed, err := exposedPorts(s)
	if err != nil {
		return nil, err
	}
	image := spec.Image
	if image == "" {
		image = s.Image
	}
	cfg := &container.Config{
		Image:        image,
		Hostname:     s.Hostname,
		Domainname:   s.DomainName,
		User:         s.User,
		WorkingDir:   s.WorkingDir,
		Env:          spec.Environment,
		Labels:       spec.Labels,
		Tty:          s.Tty,
		OpenStdin:    s.StdinOpen,
		AttachStdin:  s.StdinOpen,
		StdinOnce:    spec.StdinOnce,
		AttachStdout: true,
		AttachStderr: true,
		ExposedPorts: exposed,
		StopSignal:   s.StopSignal,
		StopTimeout:  stopTimeout(spec),
		Healthcheck:  healthcheck(s.HealthCheck),
	}
	if s.Command != nil {
		cfg.Cmd = []string(s.Command)
	}
	if s.Entrypoint != nil {
		cfg.Entrypoint = []string(s.Entrypoint)
	}
	return cfg, nil
}

// stopTimeout is the spec's explicit timeout, else stop_grace_period, in
// whole seconds as the engine counts them.
func stopTimeout(spec engine.ContainerSpec) *int {
	var d time.Duration
	switch {
	case spec.StopTimeout != nil:
		d = *spec.StopTimeout
	case spec.Service.StopGracePeriod != nil:
		d = time.Duration(*spec.Service.StopGracePeriod)
	default:
		return nil
	}
	secs := int(d.Round(time.Second) / time.Second)
	return &secs
}

// healthcheck maps compose's healthcheck; nil keeps the image's own.
func healthcheck(h *types.HealthCheckConfig) *container.HealthConfig {
	if h == nil {
		return nil
	}
	if h.Disable {
		return &container.HealthConfig{Test: []string{"NONE"}}
	}
	hc := &container.HealthConfig{Test: []string(h.Test)}
	if h.Interval != nil {
		hc.Interval = time.Duration(*h.Interval)
	}
	if h.Timeout != nil {
		hc.Timeout = time.Duration(*h.Timeout)
	}
	if h.StartPeriod != nil {
		hc.StartPeriod = time.Duration(*h.StartPeriod)
	}
	if h.StartInterval != nil {
		hc.StartInterval = time.Duration(*h.StartInterval)
	}
	if h.Retries != nil {
		hc.Retries = int(*h.Retries)
	}
	return hc
}

// exposedPorts are the container ports of ports: and expose: ("80",
// "53/udp", "8000-8010").
func exposedPorts(s types.ServiceConfig) (mnetwork.PortSet, error) {
	set := mnetwork.PortSet{}
	for _, p := range s.Ports {
		port, err := containerPort(p)
		if err != nil {
			return nil, err
		}
		set[port] = struct{}{}
	}
	for _, e := range s.Expose {
		if !strings.Contains(e, "/") {
			e += "/tcp"
		}
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
func containerPort(p types.ServicePortConfig) (mnetwork.Port, error) {
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	if p.Target == 0 || p.Target > 65535 {
		return mnetwork.Port{}, fmt.Errorf("ports: invalid container port %d", p.Target)
	}
	port, ok := mnetwork.PortFrom(uint16(p.Target), mnetwork.IPProtocol(strings.ToLower(proto)))
	if !ok {
		return mnetwork.Port{}, fmt.Errorf("ports: invalid protocol %q", proto)
	}
	return port, nil
}

// portBindings publishes ports: entries; a published range lets the engine
// pick a free host port in it.
func portBindings(s types.ServiceConfig) (mnetwork.PortMap, error) {
	pm := mnetwork.PortMap{}
	for _, p := range s.Ports {
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
