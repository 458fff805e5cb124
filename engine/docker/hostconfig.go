package docker

import (
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	mnetwork "github.com/moby/moby/api/types/network"

	"berth/engine"
	"berth/network"
)

// hostConfig is the host-side part of the container: mounts, ports,
// namespaces, limits, restart policy.
func hostConfig(spec engine.ContainerSpec) (*container.HostConfig, error) {
	s := spec.Service
	ports, err := portBindings(s)
	if err != nil {
		return nil, err
	}
	dns, err := parseAddrs("dns", s.DNS)
	if err != nil {
		return nil, err
	}
	binds, mounts := mountsOf(spec.Mounts)
	hc := &container.HostConfig{
		Binds:          binds,
		Mounts:         mounts,
		Tmpfs:          tmpfsOf(s.Tmpfs),
		PortBindings:   ports,
		NetworkMode:    container.NetworkMode(networkMode(spec)),
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyMode(spec.Restart.Name), MaximumRetryCount: spec.Restart.MaxRetries},
		VolumesFrom:    spec.VolumesFrom,
		AutoRemove:     spec.AutoRemove,
		Init:           s.Init,
		Privileged:     s.Privileged,
		CapAdd:         s.CapAdd,
		CapDrop:        s.CapDrop,
		DNS:            dns,
		DNSSearch:      s.DNSSearch,
		DNSOptions:     s.DNSOpts,
		ExtraHosts:     extraHosts(s.ExtraHosts),
		LogConfig:      logConfig(s),
		ShmSize:        int64(s.ShmSize),
		ReadonlyRootfs: s.ReadOnly,
		SecurityOpt:    s.SecurityOpt,
		PidMode:        container.PidMode(or(spec.PidMode, s.Pid)),
		IpcMode:        container.IpcMode(or(spec.IpcMode, s.Ipc)),
		UTSMode:        container.UTSMode(s.Uts),
		UsernsMode:     container.UsernsMode(s.UserNSMode),
		GroupAdd:       s.GroupAdd,
		OomScoreAdj:    int(s.OomScoreAdj),
		Sysctls:        s.Sysctls,
		Runtime:        s.Runtime,
		StorageOpt:     s.StorageOpt,
		Resources:      resources(s),
	}
	if len(spec.Links) > 0 && isBridge(hc.NetworkMode) {
		hc.Links = spec.Links // user-defined networks take links per endpoint
	}
	return hc, nil
}

// or is a unless it is empty, else b.
func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// networkMode is the explicit mode, else the primary network's name.
func networkMode(spec engine.ContainerSpec) string {
	if spec.NetworkMode != "" {
		return spec.NetworkMode
	}
	if len(spec.Networks) > 0 {
		return spec.Networks[0].Network
	}
	return ""
}

// isBridge says whether the mode is the engine's default bridge, the one
// network where links still live in the host config.
func isBridge(mode container.NetworkMode) bool {
	return mode == "" || mode == "bridge" || mode == "default"
}

// mountsOf splits the mounts: binds whose host path must be created when
// missing go to Binds (the mount API refuses a missing source); everything
// else goes to Mounts.
func mountsOf(ms []engine.Mount) (binds []string, mounts []mount.Mount) {
	for _, m := range ms {
		if m.Type == "bind" && m.CreateHostPath {
			binds = append(binds, bindString(m))
			continue
		}
		mounts = append(mounts, engineMount(m))
	}
	return binds, mounts
}

// bindString is the "src:dst[:opts]" form of a bind.
func bindString(m engine.Mount) string {
	var opts []string
	if m.ReadOnly {
		opts = append(opts, "ro")
	}
	if m.BindPropagation != "" {
		opts = append(opts, m.BindPropagation)
	}
	s := m.Source + ":" + m.Target
	if len(opts) > 0 {
		s += ":" + strings.Join(opts, ",")
	}
	return s
}

// engineMount is one entry of HostConfig.Mounts.
func engineMount(m engine.Mount) mount.Mount {
	em := mount.Mount{
		Type:        mount.Type(m.Type),
		Source:      m.Source,
		Target:      m.Target,
		ReadOnly:    m.ReadOnly,
		Consistency: mount.Consistency(m.Consistency),
	}
	switch m.Type {
	case "bind":
		if m.BindPropagation != "" {
			em.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(m.BindPropagation)}
		}
	case "volume":
		if m.VolumeNoCopy {
			em.VolumeOptions = &mount.VolumeOptions{NoCopy: true}
		}
	case "tmpfs":
		em.Source = ""
		if m.TmpfsSize != 0 || m.TmpfsMode != 0 {
			em.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: m.TmpfsSize, Mode: os.FileMode(m.TmpfsMode)}
		}
	}
	return em
}

// tmpfsOf maps tmpfs: entries ("/run" or "/run:size=64m") to the engine's map.
func tmpfsOf(list types.StringList) map[string]string {
	if len(list) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, t := range list {
		path, opts, _ := strings.Cut(t, ":")
		out[path] = opts
	}
	return out
}

// extraHosts renders extra_hosts as the engine wants them, "host:ip", sorted.
func extraHosts(h types.HostsList) []string {
	list := h.AsList(":")
	slices.Sort(list)
	return list
}

// logConfig takes logging:, else the legacy log_driver/log_opt.
func logConfig(s types.ServiceConfig) container.LogConfig {
	if s.Logging != nil {
		return container.LogConfig{Type: s.Logging.Driver, Config: s.Logging.Options}
	}
	return container.LogConfig{Type: s.LogDriver, Config: s.LogOpt}
}

// resources are the limits: the service-level keys (mem_limit, cpus, …)
// win over deploy.resources, as in Docker Compose.
func resources(s types.ServiceConfig) container.Resources {
	r := container.Resources{
		CPUShares:         s.CPUShares,
		CPUPeriod:         s.CPUPeriod,
		CPUQuota:          s.CPUQuota,
		CpusetCpus:        s.CPUSet,
		CgroupParent:      s.CgroupParent,
		Memory:            int64(s.MemLimit),
		MemoryReservation: int64(s.MemReservation),
		MemorySwap:        int64(s.MemSwapLimit),
		NanoCPUs:          int64(float64(s.CPUS) * 1e9),
		Devices:           devices(s.Devices),
		DeviceCgroupRules: s.DeviceCgroupRules,
		Ulimits:           ulimits(s.Ulimits),
	}
	if s.OomKillDisable {
		r.OomKillDisable = &s.OomKillDisable
	}
	if s.PidsLimit != 0 {
		r.PidsLimit = &s.PidsLimit
	}
	if s.Deploy != nil {
		deployResources(&r, s.Deploy.Resources)
	}
	return r
}

// deployResources fills the limits deploy.resources sets and the service
// keys left unset.
func deployResources(r *container.Resources, d types.Resources) {
	if l := d.Limits; l != nil {
		if r.Memory == 0 {
			r.Memory = int64(l.MemoryBytes)
		}
		if r.NanoCPUs == 0 {
			r.NanoCPUs = int64(float64(l.NanoCPUs.Value()) * 1e9)
		}
		if r.PidsLimit == nil && l.Pids != 0 {
			pids := l.Pids
			r.PidsLimit = &pids
		}
	}
	if res := d.Reservations; res != nil && r.MemoryReservation == 0 {
		r.MemoryReservation = int64(res.MemoryBytes)
	}
}

// devices maps devices: entries; permissions default to rwm like the CLI.
func devices(ds []types.DeviceMapping) []container.DeviceMapping {
	var out []container.DeviceMapping
	for _, d := range ds {
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		target := d.Target
		if target == "" {
			target = d.Source
		}
		out = append(out, container.DeviceMapping{PathOnHost: d.Source, PathInContainer: target, CgroupPermissions: perms})
	}
	return out
}

// ulimits maps ulimits: in name order (a single value sets soft and hard).
func ulimits(u map[string]*types.UlimitsConfig) []*container.Ulimit {
	var out []*container.Ulimit
	for _, name := range sortedKeys(u) {
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

// networkingConfig is the create call's endpoints: all of them when the
// engine takes several, else the primary one; the rest are connected later.
func networkingConfig(spec engine.ContainerSpec, multiNetwork bool) (*mnetwork.NetworkingConfig, []network.Endpoint, error) {
	if len(spec.Networks) == 0 || (spec.NetworkMode != "" && spec.NetworkMode != spec.Networks[0].Network) {
		return nil, nil, nil
	}
	first, rest := spec.Networks[:1], spec.Networks[1:]
	if multiNetwork {
		first, rest = spec.Networks, nil
	}
	cfg := &mnetwork.NetworkingConfig{EndpointsConfig: map[string]*mnetwork.EndpointSettings{}}
	for i, ep := range first {
		if i == 0 && ep.MacAddress == "" {
			ep.MacAddress = spec.Service.MacAddress // mac_address belongs to the primary network
		}
		es, err := endpointSettings(ep, spec.Links)
		if err != nil {
			return nil, nil, err
		}
		cfg.EndpointsConfig[ep.Network] = es
	}
	return cfg, rest, nil
}

// endpointSettings is how a container joins one network.
func endpointSettings(ep network.Endpoint, links []string) (*mnetwork.EndpointSettings, error) {
	es := &mnetwork.EndpointSettings{Aliases: ep.Aliases, Links: links}
	mac, err := hardwareAddr(ep.MacAddress)
	if err != nil {
		return nil, err
	}
	es.MacAddress = mac
	if ep.IPv4Address == "" && ep.IPv6Address == "" {
		return es, nil
	}
	es.IPAMConfig = &mnetwork.EndpointIPAMConfig{}
	if ep.IPv4Address != "" {
		if es.IPAMConfig.IPv4Address, err = netip.ParseAddr(ep.IPv4Address); err != nil {
			return nil, fmt.Errorf("network %q: ipv4_address %q: %w", ep.Network, ep.IPv4Address, err)
		}
	}
	if ep.IPv6Address != "" {
		if es.IPAMConfig.IPv6Address, err = netip.ParseAddr(ep.IPv6Address); err != nil {
			return nil, fmt.Errorf("network %q: ipv6_address %q: %w", ep.Network, ep.IPv6Address, err)
		}
	}
	return es, nil
}

// sortedKeys is m's keys in order, so output never depends on map order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
