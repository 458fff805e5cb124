package docker

import (
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	mnetwork "github.com/moby/moby/api/types/network"

	"berth/engine"
	"berth/network"
)

// hostConfig is the host-side part of the container: mounts, ports,
// namespaces, limits, restart policy.
func hostConfig(spec engine.ContainerSpec) (*container.HostConfig, error) {
	ports, err := portBindings(spec.Ports)
	if err != nil {
		return nil, err
	}
	dns, err := parseAddrs("dns", spec.DNS)
	if err != nil {
		return nil, err
	}
	binds, mounts := mountsOf(spec.Mounts)
	hc := &container.HostConfig{
		Binds:          binds,
		Mounts:         mounts,
		Tmpfs:          spec.Tmpfs,
		PortBindings:   ports,
		NetworkMode:    container.NetworkMode(networkMode(spec)),
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyMode(spec.Restart.Name), MaximumRetryCount: spec.Restart.MaxRetries},
		VolumesFrom:    spec.VolumesFrom,
		AutoRemove:     spec.AutoRemove,
		Init:           spec.Init,
		Privileged:     spec.Privileged,
		CapAdd:         spec.CapAdd,
		CapDrop:        spec.CapDrop,
		DNS:            dns,
		DNSSearch:      spec.DNSSearch,
		DNSOptions:     spec.DNSOptions,
		ExtraHosts:     spec.ExtraHosts,
		LogConfig:      container.LogConfig{Type: spec.Logging.Driver, Config: spec.Logging.Options},
		ShmSize:        spec.ShmSize,
		ReadonlyRootfs: spec.ReadOnly,
		SecurityOpt:    spec.SecurityOpt,
		PidMode:        container.PidMode(spec.PidMode),
		IpcMode:        container.IpcMode(spec.IpcMode),
		UTSMode:        container.UTSMode(spec.UTSMode),
		UsernsMode:     container.UsernsMode(spec.UsernsMode),
		CgroupnsMode:   container.CgroupnsMode(spec.CgroupnsMode),
		Annotations:    spec.Annotations,
		GroupAdd:       spec.GroupAdd,
		OomScoreAdj:    spec.OomScoreAdj,
		Sysctls:        spec.Sysctls,
		Runtime:        spec.Runtime,
		StorageOpt:     spec.StorageOpt,
		Resources:      resources(spec.Resources),
	}
	if len(spec.Links) > 0 && isBridge(hc.NetworkMode) {
		hc.Links = spec.Links // user-defined networks take links per endpoint
	}
	return hc, nil
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
// missing (the mount API refuses a missing source) or relabelled for
// SELinux (the mount API has no such option) go to Binds; everything else
// goes to Mounts.
func mountsOf(ms []engine.Mount) (binds []string, mounts []mount.Mount) {
	for _, m := range ms {
		if m.Type == "bind" && (m.CreateHostPath || m.SELinux != "") && !nonDefaultRecursion(m) {
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
	if m.SELinux != "" {
		opts = append(opts, m.SELinux)
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
		if m.BindPropagation != "" || nonDefaultRecursion(m) {
			em.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(m.BindPropagation), CreateMountpoint: m.CreateHostPath}
			switch m.BindRecursive {
			case "disabled":
				em.BindOptions.NonRecursive = true
			case "writable":
				em.BindOptions.ReadOnlyNonRecursive = true
			case "readonly":
				em.BindOptions.ReadOnlyForceRecursive = true
			}
		}
	case "volume":
		if m.VolumeNoCopy || m.Subpath != "" || len(m.VolumeLabels) > 0 {
			em.VolumeOptions = &mount.VolumeOptions{NoCopy: m.VolumeNoCopy, Subpath: m.Subpath, Labels: m.VolumeLabels}
		}
	case "image":
		if m.Subpath != "" {
			em.ImageOptions = &mount.ImageOptions{Subpath: m.Subpath}
		}
	case "tmpfs":
		em.Source = ""
		if m.TmpfsSize != 0 || m.TmpfsMode != 0 {
			em.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: m.TmpfsSize, Mode: os.FileMode(m.TmpfsMode)}
		}
	}
	return em
}

// nonDefaultRecursion tells whether a bind sets bind.recursive, which only
// the mount API carries.
func nonDefaultRecursion(m engine.Mount) bool {
	return m.BindRecursive != "" && m.BindRecursive != "enabled"
}

// resources are the limits.
func resources(r engine.Resources) container.Resources {
	out := container.Resources{
		CPUShares:          r.CPUShares,
		CPUPeriod:          r.CPUPeriod,
		CPUQuota:           r.CPUQuota,
		CpusetCpus:         r.CpusetCpus,
		CgroupParent:       r.CgroupParent,
		Memory:             r.Memory,
		MemoryReservation:  r.MemoryReservation,
		MemorySwap:         r.MemorySwap,
		MemorySwappiness:   r.MemorySwappiness,
		CPURealtimePeriod:  r.CPURealtimePeriod,
		CPURealtimeRuntime: r.CPURealtimeRuntime,
		NanoCPUs:           r.NanoCPUs,
		PidsLimit:          r.PidsLimit,
		DeviceCgroupRules:  r.DeviceCgroupRules,
	}
	if r.OomKillDisable {
		out.OomKillDisable = &r.OomKillDisable
	}
	for _, d := range r.Devices {
		out.Devices = append(out.Devices, container.DeviceMapping{PathOnHost: d.Host, PathInContainer: d.Container, CgroupPermissions: d.Permissions})
	}
	if len(r.CDIDevices) > 0 {
		out.DeviceRequests = append(out.DeviceRequests, container.DeviceRequest{Driver: "cdi", DeviceIDs: r.CDIDevices})
	}
	for _, u := range r.Ulimits {
		out.Ulimits = append(out.Ulimits, &container.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
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
	for _, ep := range first {
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
	es := &mnetwork.EndpointSettings{Aliases: ep.Aliases, Links: links, GwPriority: ep.GatewayPriority, DriverOpts: ep.DriverOpts}
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
