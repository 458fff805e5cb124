package engine

import (
	"fmt"
	"strconv"
	"strings"

	"berth/network"
)

// Feature is something a Docker Engine offers from one API version on.
// Callers gate on the version the engine negotiated (Reader.APIVersion):
// an engine of an older API ignores or refuses the fields, so berth names
// the key instead of letting the engine drop it.
type Feature struct {
	Name   string // the compose key the user wrote, or the behaviour
	MinAPI string // the first API version that has it
	Engine string // the first Docker Engine release that has it
}

// The features berth applies on engines that have them. API 1.41 is Docker
// Engine 20.10, the oldest engine berth supports.
var (
	// MultiNetworkCreate is a create call that joins every network at
	// once; older engines take one and the rest are connected before start.
	MultiNetworkCreate = Feature{"networks (several at create)", "1.44", "25.0"}
	// EndpointMacAddress is mac_address per network; older engines read
	// only the container's one, given to its first network.
	EndpointMacAddress = Feature{"networks.*.mac_address", "1.44", "25.0"}
	// HealthStartInterval is the probe interval during start_period.
	HealthStartInterval = Feature{"healthcheck.start_interval", "1.44", "25.0"}
	// VolumeSubpath mounts a directory inside a volume.
	VolumeSubpath = Feature{"volumes.*.volume.subpath", "1.45", "26.0"}
	// ImageMount mounts an image's filesystem (volumes type: image).
	ImageMount = Feature{"volumes.*.type: image", "1.48", "28.0"}
	// Annotations are passed to the runtime (HostConfig.Annotations).
	Annotations = Feature{"annotations", "1.43", "24.0"}
	// BindRecursiveReadOnly is bind.recursive writable or readonly: how a
	// read-only bind treats the mounts below it.
	BindRecursiveReadOnly = Feature{"volumes.*.bind.recursive", "1.44", "25.0"}
	// CDIDevices are devices: entries named by CDI, requested from the
	// engine's cdi device driver.
	CDIDevices = Feature{"devices (CDI device names)", "1.44", "25.0"}
	// EnableIPv4 is a network's enable_ipv4: false makes an IPv6-only network.
	EnableIPv4 = Feature{"networks.*.enable_ipv4", "1.48", "28.0"}
	// InterfaceName names the container's interface on a network.
	InterfaceName = Feature{"networks.*.interface_name", "1.49", "28.1"}
	// GatewayPriority picks the network that gives the default route.
	GatewayPriority = Feature{"networks.*.gw_priority", "1.48", "28.0"}
)

// Engine behaviours berth's workarounds for older engines depend on.
var (
	// StopReleasesEndpoints: a stop returns only once the container's
	// network endpoints are released (the engine cleans up before it marks
	// the container stopped). Before, a network removed right after a stop
	// could keep a phantom endpoint ("has active endpoints"), so down
	// awaits the disconnect events there.
	StopReleasesEndpoints = Feature{"network endpoints released when a stop returns", "1.42", "23.0"}
	// UniqueNetworkNames: the engine refuses a second network of one name.
	// Before, racing creators made duplicates, which the adapter settles
	// (the oldest wins) and pins the survivor's ID.
	UniqueNetworkNames = Feature{"network names unique", "1.44", "25.0"}
)

// Supported reports whether an engine speaking apiVersion has f. An empty
// version (an engine that did not say) counts as the oldest.
func (f Feature) Supported(apiVersion string) bool {
	return compareVersions(apiVersion, f.MinAPI) >= 0
}

// Needs is the reason f is not there: "needs Docker Engine 28.0 or later
// (API 1.48; this engine speaks API 1.41)".
func (f Feature) Needs(apiVersion string) string {
	if apiVersion == "" {
		apiVersion = "unknown"
	}
	return fmt.Sprintf("needs Docker Engine %s or later (API %s; this engine speaks API %s)", f.Engine, f.MinAPI, apiVersion)
}

// compareVersions compares dotted API versions ("1.41" < "1.9" is false:
// each part is a number).
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		x, y := part(as, i), part(bs, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func part(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, err := strconv.Atoi(parts[i])
	if err != nil {
		return 0
	}
	return n
}

// Uses lists the gated features spec asks for, in the order of the list
// above. A MAC address on the first network counts only when it differs
// from the container's own, the one every engine reads.
func (spec ContainerSpec) Uses() []Feature {
	var out []Feature
	add := func(f Feature, used bool) {
		if used {
			out = append(out, f)
		}
	}
	add(EndpointMacAddress, endpointMacs(spec))
	add(HealthStartInterval, spec.Healthcheck != nil && spec.Healthcheck.StartInterval != 0)
	var subpath, image, recursive bool
	for _, m := range spec.Mounts {
		subpath = subpath || m.Type == "volume" && m.Subpath != ""
		image = image || m.Type == "image"
		recursive = recursive || m.Type == "bind" && m.ReadOnly && m.BindRecursive == "readonly"
	}
	add(VolumeSubpath, subpath)
	add(ImageMount, image)
	add(BindRecursiveReadOnly, recursive)
	add(CDIDevices, len(spec.Resources.CDIDevices) > 0)
	gw := false
	for _, ep := range spec.Networks {
		gw = gw || ep.GatewayPriority != 0
	}
	add(GatewayPriority, gw)
	ifname := false
	for _, ep := range spec.Networks {
		_, set := ep.DriverOpts[network.IfnameOption]
		ifname = ifname || set
	}
	add(InterfaceName, ifname)
	return out
}

func endpointMacs(spec ContainerSpec) bool {
	for i, ep := range spec.Networks {
		if ep.MacAddress != "" && (i > 0 || ep.MacAddress != spec.MacAddress) {
			return true
		}
	}
	return false
}

// Unsupported is the first feature spec uses that an engine speaking
// apiVersion lacks, as an error naming it; nil when it has them all.
// Adapters refuse such a spec rather than let the engine drop the field.
func (spec ContainerSpec) Unsupported(apiVersion string) error {
	for _, f := range spec.Uses() {
		if !f.Supported(apiVersion) {
			return fmt.Errorf("%s %s", f.Name, f.Needs(apiVersion))
		}
	}
	return nil
}
