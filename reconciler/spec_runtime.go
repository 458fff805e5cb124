package reconciler

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// The service's own runtime fields, resolved for the engine: every compose
// default and fallback is applied here, so that an adapter (and the fake)
// only translates. Project-level names are spec.go's.

// runtimeSpec fills what runs and how: command, user, ports, limits, …
func runtimeSpec(spec *engine.ContainerSpec, s types.ServiceConfig) {
	spec.Entrypoint, spec.Command = nilOrSlice(s.Entrypoint), nilOrSlice(s.Command)
	spec.WorkingDir, spec.User = s.WorkingDir, s.User
	spec.Hostname, spec.Domainname = s.Hostname, s.DomainName
	spec.Tty, spec.StdinOpen = s.Tty, s.StdinOpen
	spec.StopSignal = s.StopSignal
	if s.StopGracePeriod != nil {
		d := time.Duration(*s.StopGracePeriod)
		spec.StopTimeout = &d
	}
	spec.Healthcheck = healthcheck(s.HealthCheck)
	spec.Ports, spec.Expose = portBindings(s.Ports), exposed(s.Expose)
	spec.DNS, spec.DNSSearch, spec.DNSOptions = s.DNS, s.DNSSearch, s.DNSOpts
	spec.ExtraHosts = extraHosts(s.ExtraHosts)
	spec.Tmpfs = tmpfs(s.Tmpfs)
	spec.UTSMode, spec.UsernsMode, spec.CgroupnsMode = s.Uts, s.UserNSMode, s.Cgroup
	spec.Annotations = maps.Clone(map[string]string(s.Annotations))
	spec.Privileged, spec.ReadOnly, spec.Init = s.Privileged, s.ReadOnly, s.Init
	spec.CapAdd, spec.CapDrop, spec.SecurityOpt, spec.GroupAdd = s.CapAdd, s.CapDrop, s.SecurityOpt, s.GroupAdd
	spec.Sysctls, spec.StorageOpt = map[string]string(s.Sysctls), s.StorageOpt
	spec.Runtime, spec.OomScoreAdj, spec.ShmSize = s.Runtime, int(s.OomScoreAdj), int64(s.ShmSize)
	spec.Restart = restartPolicy(s)
	spec.Logging = logging(s)
	spec.Resources = resources(s)
}

// nilOrSlice keeps nil as nil (the image's own) and copies the rest.
func nilOrSlice[S ~[]string](s S) []string {
	if s == nil {
		return nil
	}
	return slices.Clone([]string(s))
}

// healthcheck maps compose's healthcheck; disable: true is the engine's
// ["NONE"], nil keeps the image's own.
func healthcheck(h *types.HealthCheckConfig) *engine.Healthcheck {
	if h == nil {
		return nil
	}
	if h.Disable {
		return &engine.Healthcheck{Test: []string{"NONE"}}
	}
	hc := &engine.Healthcheck{Test: slices.Clone([]string(h.Test)), Interval: duration(h.Interval), Timeout: duration(h.Timeout),
		StartPeriod: duration(h.StartPeriod), StartInterval: duration(h.StartInterval)}
	if h.Retries != nil {
		hc.Retries = int(*h.Retries)
	}
	return hc
}

func duration(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

// portBindings are the ports: entries, "tcp" when no protocol is given.
func portBindings(ports []types.ServicePortConfig) []engine.PortBinding {
	var out []engine.PortBinding
	for _, p := range ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		out = append(out, engine.PortBinding{Target: p.Target, Protocol: proto, HostIP: p.HostIP, Published: p.Published})
	}
	return out
}

// exposed are the expose: entries as "port[-port]/proto", tcp by default.
func exposed(list types.StringOrNumberList) []string {
	var out []string
	for _, e := range list {
		if !strings.Contains(e, "/") {
			e += "/tcp"
		}
		out = append(out, e)
	}
	return out
}

// extraHosts renders extra_hosts as the engine wants them, "host:ip", sorted.
func extraHosts(h types.HostsList) []string {
	list := h.AsList(":")
	slices.Sort(list)
	return list
}

// tmpfs maps tmpfs: entries ("/run" or "/run:size=64m") to path → options.
func tmpfs(list types.StringList) map[string]string {
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

// logging takes logging:, else the legacy log_driver/log_opt.
func logging(s types.ServiceConfig) engine.LogConfig {
	if s.Logging != nil {
		return engine.LogConfig{Driver: s.Logging.Driver, Options: maps.Clone(map[string]string(s.Logging.Options))}
	}
	return engine.LogConfig{Driver: s.LogDriver, Options: maps.Clone(s.LogOpt)}
}

// resources are the limits: the service-level keys (mem_limit, cpus, …)
// win over deploy.resources, as in Docker Compose.
func resources(s types.ServiceConfig) engine.Resources {
	r := engine.Resources{
		CPUShares:          s.CPUShares,
		CPUPeriod:          s.CPUPeriod,
		CPUQuota:           s.CPUQuota,
		CpusetCpus:         s.CPUSet,
		CgroupParent:       s.CgroupParent,
		Memory:             int64(s.MemLimit),
		MemoryReservation:  int64(s.MemReservation),
		MemorySwap:         int64(s.MemSwapLimit),
		CPURealtimePeriod:  s.CPURTPeriod,
		CPURealtimeRuntime: s.CPURTRuntime,
		NanoCPUs:           int64(float64(s.CPUS) * 1e9),
		OomKillDisable:     s.OomKillDisable,
		Devices:            devices(s.Devices),
		CDIDevices:         cdiDevices(s.Devices),
		DeviceCgroupRules:  s.DeviceCgroupRules,
		Ulimits:            ulimits(s.Ulimits),
	}
	if s.MemSwappiness != 0 { // compose-go cannot tell 0 from unset
		sw := int64(s.MemSwappiness)
		r.MemorySwappiness = &sw
	}
	if s.PidsLimit != 0 {
		pids := s.PidsLimit
		r.PidsLimit = &pids
	}
	if s.Deploy != nil {
		deployResources(&r, s.Deploy.Resources)
	}
	return r
}

// deployResources fills the limits deploy.resources sets and the service
// keys left unset.
func deployResources(r *engine.Resources, d types.Resources) {
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

// devices maps devices: entries; the target defaults to the source and the
// permissions to rwm, like the docker CLI.
func devices(ds []types.DeviceMapping) []engine.Device {
	var out []engine.Device
	for _, d := range ds {
		if isCDIDevice(d) {
			continue
		}
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		target := d.Target
		if target == "" {
			target = d.Source
		}
		out = append(out, engine.Device{Host: d.Source, Container: target, Permissions: perms})
	}
	return out
}

// cdiDevices are the devices: entries named by CDI.
func cdiDevices(ds []types.DeviceMapping) []string {
	var out []string
	for _, d := range ds {
		if isCDIDevice(d) {
			out = append(out, d.Source)
		}
	}
	return out
}

// isCDIDevice tells a CDI name ("vendor.com/class=name", given alone)
// from a host path, as Docker Compose does.
func isCDIDevice(d types.DeviceMapping) bool {
	if d.Target != "" && d.Target != d.Source {
		return false
	}
	kind, name, ok := strings.Cut(d.Source, "=")
	if !ok {
		return false
	}
	vendor, class, ok := strings.Cut(kind, "/")
	return ok && cdiPart(vendor, "._-") && cdiPart(class, "_.-") && cdiPart(name, "_.:-")
}

// cdiPart is a non-empty run of letters, digits and extra, starting with
// a letter or digit.
func cdiPart(s, extra string) bool {
	for i, r := range s {
		alnum := r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if !alnum && (i == 0 || !strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return s != ""
}

// ulimits maps ulimits: in name order (a single value sets soft and hard).
func ulimits(u map[string]*types.UlimitsConfig) []engine.Ulimit {
	var out []engine.Ulimit
	for _, name := range slices.Sorted(maps.Keys(u)) {
		l := u[name]
		if l == nil {
			continue
		}
		soft, hard := l.Soft, l.Hard
		if l.Single != 0 {
			soft, hard = l.Single, l.Single
		}
		out = append(out, engine.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	return out
}

// securityOpts are security_opt for the engine: a seccomp profile named by
// its file ("seccomp=profile.json", relative to the project directory) is
// read and passed as its compacted JSON, as the docker CLI does; the
// engine reads no files of the client's. The error names the first file
// that cannot be read (preflight reports it; the spec keeps the option).
func securityOpts(p *types.Project, opts []string) ([]string, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(opts))
	var first error
	for _, opt := range opts {
		key, val, ok := strings.Cut(opt, "=")
		if !ok {
			key, val, ok = strings.Cut(opt, ":")
		}
		if !ok || key != "seccomp" || val == "unconfined" || val == "builtin" {
			out = append(out, opt)
			continue
		}
		file := val
		if !filepath.IsAbs(file) {
			file = filepath.Join(p.WorkingDir, file)
		}
		profile, err := seccompProfile(file)
		if err != nil {
			first = cmp.Or(first, fmt.Errorf("security_opt %s: %w", opt, err))
			out = append(out, opt)
			continue
		}
		out = append(out, "seccomp="+profile)
	}
	return out, first
}

func seccompProfile(file string) (string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading the seccomp profile: %w", err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", fmt.Errorf("seccomp profile %s is not JSON: %w", file, err)
	}
	return b.String(), nil
}
