package network

import (
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// Used lists the project network keys the given services join, sorted. A
// service with a network_mode joins none.
func Used(p *types.Project, services []string) []string {
	seen := map[string]bool{}
	for _, name := range services {
		s, ok := p.Services[name]
		if !ok || s.NetworkMode != "" {
			continue
		}
		for key := range s.Networks {
			seen[key] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// SpecOf is the network berth creates for the project network key.
func SpecOf(p *types.Project, key string) Spec {
	n := p.Networks[key]
	spec := Spec{
		Name:       project.NetworkName(p, key),
		Driver:     n.Driver,
		DriverOpts: maps.Clone(map[string]string(n.DriverOpts)),
		Labels:     project.NetworkLabels(p, key),
		Internal:   n.Internal,
		Attachable: n.Attachable,
		EnableIPv6: n.EnableIPv6 != nil && *n.EnableIPv6,
		EnableIPv4: n.EnableIPv4,
		IPAM:       IPAM{Driver: n.Ipam.Driver, Options: maps.Clone(map[string]string(n.Ipam.Options))},
	}
	for _, pool := range n.Ipam.Config {
		if pool == nil {
			continue
		}
		spec.IPAM.Configs = append(spec.IPAM.Configs, IPAMConfig{Subnet: pool.Subnet, IPRange: pool.IPRange, Gateway: pool.Gateway,
			AuxAddresses: maps.Clone(map[string]string(pool.AuxiliaryAddresses))})
	}
	spec.Labels[project.LabelNetworkFields] = project.EncodeDigests(fieldDigests(spec))
	return spec
}

// IsExternal reports whether the project network key is external: berth
// only looks it up and never creates or removes it.
func IsExternal(p *types.Project, key string) bool {
	return bool(p.Networks[key].External)
}
