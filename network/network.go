package network

// Spec is a network as berth creates it.
type Spec struct {
	Name       string
	Driver     string // "" means the engine's default (bridge)
	DriverOpts map[string]string
	Labels     map[string]string
	Internal   bool
	Attachable bool
	EnableIPv6 bool
	// EnableIPv4 is enable_ipv4; nil is the engine's default (on). Only
	// API 1.48 reads it (engine.EnableIPv4).
	EnableIPv4 *bool
	IPAM       IPAM
}

// IPAM is the address management of a network.
type IPAM struct {
	Driver  string
	Configs []IPAMConfig
	// Options are the IPAM driver's options (omitted when empty, so the
	// field digests of networks without them stay as they were).
	Options map[string]string `json:",omitempty"`
}

// IPAMConfig is one subnet.
type IPAMConfig struct {
	Subnet  string
	IPRange string
	Gateway string
	// AuxAddresses are addresses the driver must not hand out, by name.
	AuxAddresses map[string]string `json:",omitempty"`
}

// Info is a network as the engine reports it.
type Info struct {
	ID     string
	Name   string
	Driver string
	Labels map[string]string
	// Duplicates are the IDs of younger networks of the same name, which
	// an engine that accepts two racing creates of one name (Engine 20.10,
	// before API 1.44) may hold; ID is then the oldest, the one that stays.
	Duplicates []string
}

// Endpoint is how a container joins a network.
type Endpoint struct {
	Network     string
	Aliases     []string
	IPv4Address string
	IPv6Address string
	MacAddress  string
	Priority    int // which network is the primary one (compose's priority)
	// GatewayPriority picks the network that gives the default route
	// (gw_priority; API 1.48).
	GatewayPriority int
	// DriverOpts are the endpoint's driver options (driver_opts, and
	// interface_name as IfnameOption).
	DriverOpts map[string]string
}

// IfnameOption is the endpoint driver option that names the container's
// interface on the network (interface_name; API 1.49).
const IfnameOption = "com.docker.network.endpoint.ifname"
