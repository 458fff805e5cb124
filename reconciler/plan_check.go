package reconciler

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// preflight checks what would make `up` fail halfway, so that it fails
// before anything is created: external networks and volumes that are not
// there, secret and config files that do not exist or variables that are
// not set, and host ports the project would publish twice.
func (pl *planner) preflight() error {
	var errs []error
	for _, name := range pl.selectedNames() {
		d := pl.d.services[name]
		errs = append(errs, pl.checkExternal(d)...)
		errs = append(errs, pl.checkFiles(d)...)
		errs = append(errs, pl.checkFeatures(d))
	}
	errs = append(errs, pl.checkNetworkFeatures()...)
	errs = append(errs, pl.checkPorts()...)
	errs = append(errs, pl.checkContainerNames()...)
	errs = append(errs, pl.checkDonors()...)
	return errors.Join(errs...)
}

// missing reports whether Observe looked key up and did not find it.
func missing(m map[string]bool, key string) bool {
	found, looked := m[key]
	return looked && !found
}

func (pl *planner) checkExternal(d *desired) []error {
	s := d.service
	var errs []error
	for _, key := range d.networks {
		name := project.NetworkName(pl.p, key)
		if network.IsExternal(pl.p, key) && missing(pl.st.External, "network:"+name) {
			errs = append(errs, fmt.Errorf("service %q: network %s declared as external, but could not be found", s.Name, name))
		}
	}
	for _, v := range s.Volumes {
		cfg, ok := pl.p.Volumes[v.Source]
		if !ok || v.Type != types.VolumeTypeVolume || !bool(cfg.External) {
			continue
		}
		if name := project.VolumeName(pl.p, v.Source); missing(pl.st.External, "volume:"+name) {
			errs = append(errs, fmt.Errorf("service %q: external volume %q not found", s.Name, name))
		}
	}
	return errs
}

func (pl *planner) checkFiles(d *desired) []error {
	s := d.service
	var errs []error
	for _, r := range d.files {
		switch {
		case r.external:
			errs = append(errs, fmt.Errorf("service %q: unsupported external %s %s", s.Name, r.kind, r.name))
		case r.file != "" && missing(pl.st.Files, r.file):
			errs = append(errs, fmt.Errorf("service %q: %s %q: file %s not found", s.Name, r.kind, r.name, r.file))
		}
	}
	if d.injectErr != nil {
		errs = append(errs, d.injectErr)
	} else if len(d.inject) > 0 && len(pl.o.InjectKey) == 0 {
		errs = append(errs, fmt.Errorf("service %q: no key to label its secrets and configs from environment: or content: (UpOptions.InjectKey)", s.Name))
	}
	return errs
}

// checkNetworkFeatures refuses the networks the selected services join
// that need a newer engine: enable_ipv4: false (an IPv6-only network) would
// get IPv4 from an older one.
func (pl *planner) checkNetworkFeatures() []error {
	var errs []error
	v := pl.st.APIVersion
	for _, key := range pl.d.usedNetworks(pl.selectedNames()) {
		spec, managed := pl.d.networks[key]
		if managed && spec.EnableIPv4 != nil && !*spec.EnableIPv4 && !engine.EnableIPv4.Supported(v) {
			errs = append(errs, fmt.Errorf("network %q: enable_ipv4: false %s", key, engine.EnableIPv4.Needs(v)))
		}
	}
	return errs
}

// hostPort is one published host port.
type hostPort struct {
	ip    string // "" for every address
	port  int
	proto string
}

func (h hostPort) String() string {
	ip := h.ip
	if ip == "" {
		ip = "0.0.0.0"
	}
	return fmt.Sprintf("%s:%d/%s", ip, h.port, h.proto)
}

// clashes reports whether two bindings cannot both hold: the same port and
// protocol, on the same address or with either one on every address.
func (h hostPort) clashes(o hostPort) bool {
	return h.port == o.port && h.proto == o.proto && (h.ip == "" || o.ip == "" || h.ip == o.ip)
}

// checkPorts finds host ports published twice by the selected services
// (two services, or two replicas of one), which the engine would refuse
// only once the first container runs.
func (pl *planner) checkPorts() []error {
	type owner struct {
		hostPort
		service string
	}
	var seen []owner
	var errs []error
	for _, name := range pl.selectedNames() {
		s := pl.p.Services[name]
		for _, hp := range publishedPorts(s) {
			for _, o := range seen {
				if o.clashes(hp) {
					errs = append(errs, fmt.Errorf("service %q: host port %s is already published by service %q", name, hp, o.service))
				}
			}
			seen = append(seen, owner{hp, name})
		}
		if n := pl.want(s); n > 1 && len(publishedPorts(s)) > 0 {
			errs = append(errs, fmt.Errorf("service %q: %d replicas cannot all publish host port %s", name, n, publishedPorts(s)[0]))
		}
	}
	return errs
}

// publishedPorts lists the service's fixed host ports. A range of host
// ports ("8000-8002:80") is a pool the engine picks from, so replicas may
// share it; it is not checked here.
func publishedPorts(s types.ServiceConfig) []hostPort {
	var out []hostPort
	for _, p := range s.Ports {
		port, err := strconv.Atoi(p.Published)
		if err != nil || port <= 0 {
			continue
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		ip := p.HostIP
		if ip == "0.0.0.0" || ip == "::" {
			ip = ""
		}
		out = append(out, hostPort{ip: ip, port: port, proto: proto})
	}
	return out
}

// checkFeatures names each key of d's service that needs a newer engine
// than the one observed (engine.Feature): an error for what would change
// what the container is (a subpath, an image mount, a MAC address on a
// network), a plan warning for a refinement the engine would ignore
// (start_interval, gw_priority; withinAPI leaves those out of the spec).
func (pl *planner) checkFeatures(d *desired) error {
	s, v := d.service, pl.st.APIVersion
	var errs []error
	gate := func(f engine.Feature, key string, refuse bool) {
		switch {
		case f.Supported(v):
		case refuse:
			errs = append(errs, fmt.Errorf("service %q: %s %s", s.Name, key, f.Needs(v)))
		default:
			pl.plan.Warnings = append(pl.plan.Warnings, fmt.Sprintf("service %q: %s is not applied: it %s", s.Name, key, f.Needs(v)))
		}
	}
	if h := s.HealthCheck; h != nil && h.StartInterval != nil && !h.Disable {
		gate(engine.HealthStartInterval, "healthcheck.start_interval", false)
	}
	primary := ""
	if spec := d.template(); spec.NetworkMode == "" && len(spec.Networks) > 0 {
		primary = spec.Networks[0].Network
	}
	for _, key := range slices.Sorted(maps.Keys(s.Networks)) {
		c := s.Networks[key]
		if c == nil {
			continue
		}
		// The first network's MAC address is the container's own, which
		// every engine reads, unless mac_address says otherwise.
		if c.MacAddress != "" && (project.NetworkName(pl.p, key) != primary || s.MacAddress != "" && s.MacAddress != c.MacAddress) {
			gate(engine.EndpointMacAddress, "networks."+key+".mac_address", true)
		}
		if c.GatewayPriority != 0 {
			gate(engine.GatewayPriority, "networks."+key+".gw_priority", false)
		}
		if c.InterfaceName != "" {
			gate(engine.InterfaceName, "networks."+key+".interface_name", true)
		}
	}
	warn := func(format string, args ...any) {
		pl.plan.Warnings = append(pl.plan.Warnings, fmt.Sprintf("service %q: ", s.Name)+fmt.Sprintf(format, args...))
	}
	for i, m := range s.Volumes {
		at := fmt.Sprintf("volumes[%d] (target %s)", i, m.Target)
		if b := m.Bind; m.Type == types.VolumeTypeBind && b != nil && b.SELinux != "" && b.Recursive != "" && b.Recursive != "enabled" {
			// Only the mount API carries the recursion, and it has no relabel.
			warn("%s bind.selinux is not applied together with bind.recursive, ignored", at)
		}
		switch {
		case m.Type == types.VolumeTypeImage:
			gate(engine.ImageMount, at+" type: image", true)
		case m.Type == types.VolumeTypeVolume && m.Volume != nil && m.Volume.Subpath != "":
			gate(engine.VolumeSubpath, at+" volume.subpath", true)
		case m.Type == types.VolumeTypeBind && m.Bind != nil && m.Bind.Recursive == "readonly" && m.ReadOnly:
			gate(engine.BindRecursiveReadOnly, at+" bind.recursive: readonly", true)
		case m.Type == types.VolumeTypeBind && m.Bind != nil && m.Bind.Recursive == "writable" && m.ReadOnly:
			gate(engine.BindRecursiveReadOnly, at+" bind.recursive: writable", false)
		case m.Type == types.VolumeTypeNamedPipe:
			warn("%s type: npipe is not applied (Windows only), ignored", at)
		case m.Type == types.VolumeTypeCluster:
			warn("%s type: cluster is not applied (Swarm cluster volumes), ignored", at)
		}
	}
	if len(s.Annotations) > 0 {
		gate(engine.Annotations, "annotations", false)
	}
	if cdi := cdiDevices(s.Devices); len(cdi) > 0 {
		gate(engine.CDIDevices, "devices "+strings.Join(cdi, ", ")+" (CDI device names)", true)
	}
	if _, err := securityOpts(pl.p, s.SecurityOpt); err != nil {
		errs = append(errs, fmt.Errorf("service %q: %w", s.Name, err))
	}
	for _, r := range d.files {
		if r.file != "" && (r.ref.UID != "" || r.ref.GID != "" || r.ref.Mode != nil) {
			warn("%ss.%s: uid, gid and mode are not applied to a %s from a file (it is bind-mounted as it is), ignored", r.kind, r.name, r.kind)
		}
	}
	return errors.Join(errs...)
}
