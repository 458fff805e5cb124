package stack

import (
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
)

// networkName is a compose network's name on the swarm: its name: (the
// loader sets <project>_<key>), or <stack>_<key>.
func (tr *translator) networkName(key string) string {
	if n, ok := tr.p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return scoped(tr.stack, key)
}

// networkAttachments joins the service to its networks, each with the
// service's name as an alias (as docker stack does) plus its own aliases.
func (tr *translator) networkAttachments(s types.ServiceConfig, n *notes) []swarm.NetworkAttachmentConfig {
	var out []swarm.NetworkAttachmentConfig
	for _, key := range slices.Sorted(maps.Keys(s.Networks)) {
		cfg := s.Networks[key]
		att := swarm.NetworkAttachmentConfig{Target: tr.networkName(key), Aliases: []string{s.Name}}
		if cfg != nil {
			att.Aliases = append(att.Aliases, cfg.Aliases...)
			att.DriverOpts = cfg.DriverOpts
			if cfg.Ipv4Address != "" || cfg.Ipv6Address != "" || cfg.MacAddress != "" || len(cfg.LinkLocalIPs) > 0 {
				n.add("networks.%s: fixed addresses (ipv4_address, ipv6_address, mac_address, link_local_ips) are not kept: Swarm assigns each task's address", key)
			}
		}
		out = append(out, att)
	}
	return out
}

// stackNetworks are the networks the stack creates (external ones are
// only referenced), as overlay networks unless the file names a driver.
func stackNetworks(stack string, p *types.Project, warn func(string, ...any)) []engine.SwarmNetwork {
	tr := &translator{stack: stack, p: p}
	var out []engine.SwarmNetwork
	for _, key := range slices.Sorted(maps.Keys(p.Networks)) {
		n := p.Networks[key]
		if bool(n.External) || !used(p, key) {
			continue
		}
		driver := n.Driver
		if driver == "" || driver == "bridge" {
			if driver == "bridge" {
				warn("network %s: driver bridge is local to one engine; the stack uses overlay", key)
			}
			driver = "overlay"
		}
		labels := map[string]string{LabelNamespace: stack}
		maps.Copy(labels, n.Labels)
		sn := engine.SwarmNetwork{Name: tr.networkName(key), Driver: driver, Attachable: n.Attachable,
			Internal: n.Internal, Options: n.DriverOpts, Labels: labels}
		for _, c := range n.Ipam.Config {
			sn.IPAM = append(sn.IPAM, engine.IPAMPool{Subnet: c.Subnet, Gateway: c.Gateway, IPRange: c.IPRange})
		}
		out = append(out, sn)
	}
	return out
}

// used reports whether a service of the project joins the network.
func used(p *types.Project, key string) bool {
	for _, s := range p.Services {
		if _, ok := s.Networks[key]; ok {
			return true
		}
	}
	return false
}
