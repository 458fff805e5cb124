package stack

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
)

// resources are deploy.resources, or the service-level cpus, mem_limit,
// mem_reservation and pids_limit when deploy has none.
func resources(s types.ServiceConfig) *swarm.ResourceRequirements {
	var lim, res types.Resource
	if s.Deploy != nil {
		if s.Deploy.Resources.Limits != nil {
			lim = *s.Deploy.Resources.Limits
		}
		if s.Deploy.Resources.Reservations != nil {
			res = *s.Deploy.Resources.Reservations
		}
	}
	if lim.NanoCPUs == 0 {
		lim.NanoCPUs = types.NanoCPUs(s.CPUS)
	}
	if lim.MemoryBytes == 0 {
		lim.MemoryBytes = s.MemLimit
	}
	if lim.Pids == 0 {
		lim.Pids = s.PidsLimit
	}
	if res.MemoryBytes == 0 {
		res.MemoryBytes = s.MemReservation
	}
	r := &swarm.ResourceRequirements{}
	if lim.NanoCPUs != 0 || lim.MemoryBytes != 0 || lim.Pids != 0 {
		r.Limits = &swarm.Limit{NanoCPUs: nanoCPUs(lim.NanoCPUs), MemoryBytes: int64(lim.MemoryBytes), Pids: lim.Pids}
	}
	if res.NanoCPUs != 0 || res.MemoryBytes != 0 || len(res.GenericResources) > 0 {
		r.Reservations = &swarm.Resources{NanoCPUs: nanoCPUs(res.NanoCPUs), MemoryBytes: int64(res.MemoryBytes), GenericResources: genericResources(res.GenericResources)}
	}
	if r.Limits == nil && r.Reservations == nil {
		return nil
	}
	return r
}

func nanoCPUs(c types.NanoCPUs) int64 { return int64(float64(c)*1e9 + 0.5) }

// genericResources are the reservations' discrete resources (GPUs by kind).
func genericResources(g []types.GenericResource) []swarm.GenericResource {
	var out []swarm.GenericResource
	for _, r := range g {
		if r.DiscreteResourceSpec != nil {
			out = append(out, swarm.GenericResource{DiscreteResourceSpec: &swarm.DiscreteGenericResource{
				Kind: r.DiscreteResourceSpec.Kind, Value: r.DiscreteResourceSpec.Value}})
		}
	}
	return out
}

// restartPolicy is deploy.restart_policy when set, else restart: in
// Swarm's words. Without either, Swarm's default (any) holds, as with
// docker stack.
func restartPolicy(s types.ServiceConfig, n *notes) *swarm.RestartPolicy {
	if s.Deploy != nil && s.Deploy.RestartPolicy != nil {
		rp := s.Deploy.RestartPolicy
		out := &swarm.RestartPolicy{Condition: swarm.RestartPolicyCondition(rp.Condition), MaxAttempts: rp.MaxAttempts}
		out.Delay = durationPtr(rp.Delay)
		out.Window = durationPtr(rp.Window)
		if s.Restart != "" {
			n.add("restart: %s is overridden by deploy.restart_policy", s.Restart)
		}
		return out
	}
	policy, arg, _ := strings.Cut(s.Restart, ":")
	switch policy {
	case "":
		return nil
	case "no":
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}
	case "always":
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}
	case "unless-stopped":
		n.add("restart: unless-stopped becomes Swarm's restart condition any (Swarm has no stopped state a task keeps)")
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}
	case "on-failure":
		rp := &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure}
		if arg != "" {
			var max uint64
			if _, err := fmt.Sscanf(arg, "%d", &max); err == nil {
				rp.MaxAttempts = &max
			}
		}
		return rp
	}
	n.add("restart: %s is no restart policy Swarm knows; Swarm's default (any) applies", s.Restart)
	return nil
}

func durationPtr(d *types.Duration) *time.Duration {
	if d == nil {
		return nil
	}
	v := time.Duration(*d)
	return &v
}

// placement is deploy.placement, with platform: as a platform constraint.
func placement(s types.ServiceConfig) *swarm.Placement {
	p := &swarm.Placement{}
	if s.Deploy != nil {
		p.Constraints = s.Deploy.Placement.Constraints
		p.MaxReplicas = s.Deploy.Placement.MaxReplicas
		for _, pref := range s.Deploy.Placement.Preferences {
			p.Preferences = append(p.Preferences, swarm.PlacementPreference{Spread: &swarm.SpreadOver{SpreadDescriptor: pref.Spread}})
		}
	}
	if s.Platform != "" {
		os, arch, _ := strings.Cut(s.Platform, "/")
		arch, _, _ = strings.Cut(arch, "/")
		p.Platforms = []swarm.Platform{{OS: os, Architecture: arch}}
	}
	if len(p.Constraints) == 0 && len(p.Preferences) == 0 && p.MaxReplicas == 0 && len(p.Platforms) == 0 {
		return nil
	}
	return p
}

// logDriver is logging: (or the older log_driver/log_opt).
func logDriver(s types.ServiceConfig) *swarm.Driver {
	if s.Logging != nil && s.Logging.Driver != "" {
		return &swarm.Driver{Name: s.Logging.Driver, Options: s.Logging.Options}
	}
	if s.LogDriver != "" {
		return &swarm.Driver{Name: s.LogDriver, Options: s.LogOpt}
	}
	return nil
}

// updateConfig is update_config or rollback_config; Swarm's parallelism
// defaults to 1, as compose documents.
func updateConfig(u *types.UpdateConfig) *swarm.UpdateConfig {
	if u == nil {
		return nil
	}
	par := uint64(1)
	if u.Parallelism != nil {
		par = *u.Parallelism
	}
	return &swarm.UpdateConfig{
		Parallelism:     par,
		Delay:           time.Duration(u.Delay),
		FailureAction:   swarm.FailureAction(u.FailureAction),
		Monitor:         time.Duration(u.Monitor),
		MaxFailureRatio: u.MaxFailureRatio,
		Order:           swarm.UpdateOrder(u.Order),
	}
}

// healthcheck is the service's healthcheck; disable: true is Swarm's NONE.
func healthcheck(h *types.HealthCheckConfig) *container.HealthConfig {
	if h == nil {
		return nil
	}
	if h.Disable {
		return &container.HealthConfig{Test: []string{"NONE"}}
	}
	hc := &container.HealthConfig{Test: h.Test}
	if h.Interval != nil {
		hc.Interval = time.Duration(*h.Interval)
	}
	if h.Timeout != nil {
		hc.Timeout = time.Duration(*h.Timeout)
	}
	if h.StartPeriod != nil {
		hc.StartPeriod = time.Duration(*h.StartPeriod)
	}
	if h.Retries != nil {
		hc.Retries = int(*h.Retries)
	}
	return hc
}

// ulimits are the service's ulimits, sorted by name; single sets both.
func ulimits(u map[string]*types.UlimitsConfig) []*container.Ulimit {
	var out []*container.Ulimit
	for _, name := range slices.Sorted(maps.Keys(u)) {
		l := u[name]
		if l == nil {
			continue
		}
		soft, hard := l.Soft, l.Hard
		if l.Single != 0 {
			soft, hard = l.Single, l.Single
		}
		out = append(out, &container.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	return out
}

// dnsConfig is dns, dns_search and dns_opt.
func dnsConfig(s types.ServiceConfig) (*swarm.DNSConfig, error) {
	if len(s.DNS) == 0 && len(s.DNSSearch) == 0 && len(s.DNSOpts) == 0 {
		return nil, nil
	}
	d := &swarm.DNSConfig{Search: s.DNSSearch, Options: s.DNSOpts}
	for _, ns := range s.DNS {
		a, err := netip.ParseAddr(ns)
		if err != nil {
			return nil, fmt.Errorf("dns %q: not an IP address", ns)
		}
		d.Nameservers = append(d.Nameservers, a)
	}
	return d, nil
}

// endpointSpec is deploy.endpoint_mode and the published ports: ingress
// unless the port says mode: host.
func endpointSpec(s types.ServiceConfig, n *notes) (*swarm.EndpointSpec, error) {
	e := &swarm.EndpointSpec{}
	if s.Deploy != nil {
		e.Mode = swarm.ResolutionMode(s.Deploy.EndpointMode)
	}
	for _, p := range s.Ports {
		published, err := parsePort(p.Published)
		if err != nil {
			return nil, err
		}
		if p.HostIP != "" {
			n.add("ports: host_ip %s of port %d is not kept: Swarm publishes on every address", p.HostIP, p.Target)
		}
		mode := swarm.PortConfigPublishModeIngress
		if p.Mode == "host" {
			mode = swarm.PortConfigPublishModeHost
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		e.Ports = append(e.Ports, swarm.PortConfig{Name: p.Name, Protocol: network.IPProtocol(proto),
			TargetPort: p.Target, PublishedPort: published, PublishMode: mode})
	}
	if e.Mode == "" && len(e.Ports) == 0 {
		return nil, nil
	}
	return e, nil
}
