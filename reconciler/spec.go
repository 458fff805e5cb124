package reconciler

import (
	"cmp"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// templateSpec resolves service s into what each of its containers is
// created from, all but the replica's name and labels: every project-level
// name (volumes, networks, service:x, secrets) becomes an engine name, and
// every runtime field is resolved (runtimeSpec). files are the service's
// secrets and configs.
func templateSpec(p *types.Project, s types.ServiceConfig, files []fileRef, apiVersion string) engine.ContainerSpec {
	spec := engine.ContainerSpec{
		Image:       project.ImageName(p, s),
		Environment: environment(s),
		Mounts:      mounts(p, s, files),
		NetworkMode: networkMode(p, s.NetworkMode),
		PidMode:     resolveMode(p, s.Pid),
		IpcMode:     resolveMode(p, s.Ipc),
		Links:       links(p, s),
		VolumesFrom: volumesFrom(p, s),
		MacAddress:  s.MacAddress,
		Platform:    s.Platform, // the pull used it too (plan_pull.go)
	}
	runtimeSpec(&spec, s)
	spec.SecurityOpt, _ = securityOpts(p, s.SecurityOpt) // preflight reports a profile it cannot read
	if spec.NetworkMode == "" {
		spec.Networks = endpoints(p, s)
	}
	if len(spec.Networks) > 0 {
		primaryMac(&spec)
	}
	withinAPI(&spec, apiVersion)
	return spec
}

// withinAPI leaves out the refinements an engine of apiVersion lacks and
// would ignore anyway (preflight warns about each): the healthcheck's
// start_interval, the networks' gw_priority, annotations and a bind's
// recursive: writable (older engines never make submounts read-only). What changes the meaning of
// the container (a subpath, an image mount, a MAC address) stays, and the
// preflight refuses it.
func withinAPI(spec *engine.ContainerSpec, apiVersion string) {
	if h := spec.Healthcheck; h != nil && !engine.HealthStartInterval.Supported(apiVersion) {
		hc := *h
		hc.StartInterval = 0
		spec.Healthcheck = &hc
	}
	if !engine.Annotations.Supported(apiVersion) {
		spec.Annotations = nil
	}
	for i, m := range spec.Mounts {
		if m.BindRecursive == "writable" && !engine.BindRecursiveReadOnly.Supported(apiVersion) {
			spec.Mounts[i].BindRecursive = "" // what older engines do with a read-only bind anyway
		}
	}
	if !engine.GatewayPriority.Supported(apiVersion) {
		for i := range spec.Networks {
			spec.Networks[i].GatewayPriority = 0
		}
	}
}

// primaryMac settles mac_address against the primary endpoint's own: the
// endpoint keeps its own address, else takes mac_address; the container
// level (all that engines before API 1.44 read) keeps mac_address, else
// takes the endpoint's.
func primaryMac(spec *engine.ContainerSpec) {
	ep := &spec.Networks[0]
	switch {
	case ep.MacAddress == "":
		ep.MacAddress = spec.MacAddress
	case spec.MacAddress == "":
		spec.MacAddress = ep.MacAddress
	}
}

// environment renders the resolved environment sorted as "K=V". A
// variable declared without a value and found nowhere is passed as its bare
// name, which the engine reads as "unset": the image's ENV of that name is
// removed, as Docker Compose does.
func environment(s types.ServiceConfig) []string {
	return envOf(s.Environment)
}

// withProxy adds to env ("K=V" or a bare "K", sorted) the proxy variables
// it does not name, as the docker CLI does: a service's own HTTP_PROXY,
// even one it unsets, wins.
func withProxy(env []string, proxy map[string]string) []string {
	if len(proxy) == 0 {
		return env
	}
	out := slices.Clone(env)
	for _, k := range slices.Sorted(maps.Keys(proxy)) {
		if !slices.ContainsFunc(env, func(e string) bool { name, _, _ := strings.Cut(e, "="); return name == k }) {
			out = append(out, k+"="+proxy[k])
		}
	}
	slices.Sort(out)
	return out
}

// mounts translates volumes:, and the secrets and configs read from host
// files, into engine mounts.
func mounts(p *types.Project, s types.ServiceConfig, files []fileRef) []engine.Mount {
	var out []engine.Mount
	for _, v := range s.Volumes {
		if m, ok := mountOf(p, v); ok {
			out = append(out, m)
		}
	}
	for _, r := range files {
		if r.file != "" { // environment: and content: are written in (InjectedFile)
			out = append(out, engine.Mount{Type: "bind", Source: r.file, Target: r.target, ReadOnly: true})
		}
	}
	return out
}

func mountOf(p *types.Project, v types.ServiceVolumeConfig) (engine.Mount, bool) {
	m := engine.Mount{Type: v.Type, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly, Consistency: v.Consistency}
	switch v.Type {
	case types.VolumeTypeVolume:
		if _, ok := p.Volumes[v.Source]; ok {
			m.Source = project.VolumeName(p, v.Source)
		}
		if v.Volume != nil {
			m.VolumeNoCopy, m.Subpath = v.Volume.NoCopy, v.Volume.Subpath
			m.VolumeLabels = maps.Clone(map[string]string(v.Volume.Labels))
		}
	case types.VolumeTypeBind:
		if v.Bind != nil {
			m.CreateHostPath = bool(v.Bind.CreateHostPath)
			m.BindPropagation = v.Bind.Propagation
			m.SELinux, m.BindRecursive = v.Bind.SELinux, v.Bind.Recursive
		}
	case types.VolumeTypeTmpfs:
		if v.Tmpfs != nil {
			m.TmpfsSize = int64(v.Tmpfs.Size)
			m.TmpfsMode = v.Tmpfs.Mode
		}
	case types.VolumeTypeImage:
		if v.Image != nil {
			m.Subpath = v.Image.SubPath
		}
	default:
		return engine.Mount{}, false
	}
	return m, true
}

func secretTarget(source, target string) string {
	if target == "" {
		return "/run/secrets/" + source
	}
	if !path.IsAbs(target) {
		return "/run/secrets/" + target
	}
	return target
}

func configTarget(source, target string) string {
	if target == "" {
		return "/" + source
	}
	return target
}

// carryAnonymous keeps the old container's anonymous volumes: a desired
// anonymous mount reuses the old volume at the same target, and volumes the
// image declared (mounted by the engine without being asked) are mounted
// again, so recreating a container keeps its data as Docker Compose does.
func carryAnonymous(p *types.Project, desired, old []engine.Mount) []engine.Mount {
	named := map[string]bool{}
	for key := range p.Volumes {
		named[project.VolumeName(p, key)] = true
	}
	byTarget := map[string]int{}
	for i, m := range desired {
		byTarget[m.Target] = i
	}
	out := slices.Clone(desired)
	for _, m := range old {
		if m.Type != types.VolumeTypeVolume || m.Source == "" || named[m.Source] {
			continue
		}
		i, ok := byTarget[m.Target]
		switch {
		case !ok:
			out = append(out, engine.Mount{Type: types.VolumeTypeVolume, Source: m.Source, Target: m.Target})
		case out[i].Type == types.VolumeTypeVolume && out[i].Source == "":
			out[i].Source = m.Source
		}
	}
	return out
}

// endpoints are the service's networks, highest priority first (the first is
// the one the container is created on), then by name.
func endpoints(p *types.Project, s types.ServiceConfig) []network.Endpoint {
	var eps []network.Endpoint
	for _, key := range slices.Sorted(maps.Keys(s.Networks)) {
		ep := network.Endpoint{Network: project.NetworkName(p, key), Aliases: []string{s.Name}}
		if c := s.Networks[key]; c != nil {
			ep.Aliases = append(ep.Aliases, c.Aliases...)
			ep.IPv4Address, ep.IPv6Address = c.Ipv4Address, c.Ipv6Address
			ep.MacAddress, ep.Priority, ep.GatewayPriority = c.MacAddress, c.Priority, c.GatewayPriority
			ep.DriverOpts = maps.Clone(map[string]string(c.DriverOpts))
			if c.InterfaceName != "" { // over a driver_opts of the same option, as in Docker Compose
				if ep.DriverOpts == nil {
					ep.DriverOpts = map[string]string{}
				}
				ep.DriverOpts[network.IfnameOption] = c.InterfaceName
			}
		}
		eps = append(eps, ep)
	}
	slices.SortStableFunc(eps, func(a, b network.Endpoint) int { return cmp.Compare(b.Priority, a.Priority) })
	return eps
}

// networkMode is network_mode for the engine: "disabled" is "none", as
// Docker Compose reads it, and service:x is resolved.
func networkMode(p *types.Project, mode string) string {
	if mode == "disabled" {
		return "none"
	}
	return resolveMode(p, mode)
}

// resolveMode turns "service:x" into "container:<x's first container>"; the
// engine accepts a container name where it takes an ID.
func resolveMode(p *types.Project, mode string) string {
	name, ok := strings.CutPrefix(mode, "service:")
	if !ok {
		return mode
	}
	return "container:" + firstContainer(p, name)
}

func firstContainer(p *types.Project, service string) string {
	if s, ok := p.Services[service]; ok {
		return project.ContainerName(p.Name, s, 1)
	}
	return project.ContainerName(p.Name, types.ServiceConfig{Name: service}, 1)
}

// links resolves "svc[:alias]" to "<container>:<alias>"; external_links
// already name containers.
func links(p *types.Project, s types.ServiceConfig) []string {
	var out []string
	for _, l := range s.Links {
		svc, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = svc
		}
		out = append(out, firstContainer(p, svc)+":"+alias)
	}
	for _, l := range s.ExternalLinks {
		if !strings.Contains(l, ":") {
			l += ":" + l
		}
		out = append(out, l)
	}
	return out
}

// volumesFrom resolves "svc[:mode]" and "container:name[:mode]".
func volumesFrom(p *types.Project, s types.ServiceConfig) []string {
	var out []string
	for _, v := range s.VolumesFrom {
		if name, ok := strings.CutPrefix(v, "container:"); ok {
			out = append(out, name)
			continue
		}
		svc, mode, _ := strings.Cut(v, ":")
		ref := firstContainer(p, svc)
		if mode != "" {
			ref += ":" + mode
		}
		out = append(out, ref)
	}
	return out
}

// restartPolicy maps restart: (which wins) or deploy.restart_policy to the
// engine's policy.
func restartPolicy(s types.ServiceConfig) engine.RestartPolicy {
	if s.Restart != "" {
		name, n, _ := strings.Cut(s.Restart, ":")
		rp := engine.RestartPolicy{Name: name}
		if n != "" {
			rp.MaxRetries = atoi(n)
		}
		return rp
	}
	if s.Deploy == nil || s.Deploy.RestartPolicy == nil {
		return engine.RestartPolicy{Name: "no"}
	}
	rp := s.Deploy.RestartPolicy
	switch rp.Condition {
	case "any", "":
		return engine.RestartPolicy{Name: "always"}
	case "on-failure":
		out := engine.RestartPolicy{Name: "on-failure"}
		if rp.MaxAttempts != nil {
			out.MaxRetries = int(*rp.MaxAttempts)
		}
		return out
	default:
		return engine.RestartPolicy{Name: "no"}
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
