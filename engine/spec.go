package engine

import (
	"time"

	"berth/network"
)

// ContainerSpec is a container to create, fully resolved. The reconciler
// has applied every compose default and fallback (restart: over
// deploy.restart_policy, mem_limit over deploy.resources, logging: over
// log_driver, a device's default permissions, …) and named every
// project-level resource (networks, volumes, secrets, service:x) by its
// engine name. An adapter only translates these fields to its create call;
// it decides nothing.
type ContainerSpec struct {
	Name   string
	Image  string
	Labels map[string]string

	// What runs, and how.
	Entrypoint  []string // nil keeps the image's
	Command     []string // nil keeps the image's
	Environment []string // "K=V", sorted
	WorkingDir  string
	User        string
	Hostname    string
	Domainname  string
	Tty         bool
	StdinOpen   bool
	// StdinOnce closes the container's stdin when the client attached to it
	// detaches, so the end of piped input reaches the process (run -i).
	StdinOnce   bool
	StopSignal  string
	StopTimeout *time.Duration // nil: the engine's default
	Healthcheck *Healthcheck   // nil keeps the image's

	// Ports are the ports: entries; Expose the container ports only
	// exposed, "80/tcp" or "8000-8010/udp".
	Ports  []PortBinding
	Expose []string

	// Networks are the endpoints, primary first. With API < 1.44 the adapter
	// creates on the first and connects the rest before the container starts.
	Networks []network.Endpoint
	// NetworkMode is "" (use Networks), "host", "none", "container:<id>" or "bridge".
	NetworkMode string
	// MacAddress is the container-level MAC address (mac_address, else the
	// primary endpoint's): engines before API 1.44 read only this one.
	MacAddress string
	Links      []string // "container:alias"
	// Platform is "os/arch[/variant]" to create for; "" is the engine's own.
	Platform   string
	DNS        []string
	DNSSearch  []string
	DNSOptions []string
	ExtraHosts []string // "host:ip", sorted

	Mounts []Mount
	Tmpfs  map[string]string // path → options
	// VolumesFrom carries anonymous volumes over from a replaced container
	// ("<id>") and holds volumes_from entries ("<container>[:ro]").
	VolumesFrom []string

	PidMode    string // "", "host", "container:<id>"
	IpcMode    string
	UTSMode    string
	UsernsMode string
	// CgroupnsMode is cgroup: "host", "private" or "" (the engine's default).
	CgroupnsMode string
	Privileged   bool
	CapAdd       []string
	CapDrop      []string
	SecurityOpt  []string
	ReadOnly     bool
	Init         *bool // nil: the engine's default
	GroupAdd     []string
	Sysctls      map[string]string
	Runtime      string
	StorageOpt   map[string]string
	OomScoreAdj  int
	ShmSize      int64
	// Annotations are passed to the runtime (API 1.43, see engine.Annotations).
	Annotations map[string]string

	Restart   RestartPolicy
	Logging   LogConfig
	Resources Resources
	// AutoRemove has the engine remove the container once it exits
	// (run -d --rm: berth is not there to do it).
	AutoRemove bool
}

// Healthcheck is the probe the engine runs; zero durations and retries are
// the engine's defaults.
type Healthcheck struct {
	Test          []string // ["NONE"] disables the image's healthcheck
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}

// PortBinding is one ports: entry.
type PortBinding struct {
	Target    uint32 // container port
	Protocol  string // tcp, udp, sctp
	HostIP    string // "": every address
	Published string // "8080", a range "8000-8010", or "" for one the engine picks
}

// LogConfig is the logging driver and its options ("" is the engine's default).
type LogConfig struct {
	Driver  string
	Options map[string]string
}

// Resources are the container's limits; zero is no limit.
type Resources struct {
	CPUShares         int64
	CPUPeriod         int64
	CPUQuota          int64
	CpusetCpus        string
	NanoCPUs          int64
	CgroupParent      string
	Memory            int64
	MemoryReservation int64
	MemorySwap        int64
	MemorySwappiness  *int64 // nil: the engine's default
	// CPURealtimePeriod and CPURealtimeRuntime are in microseconds.
	CPURealtimePeriod  int64
	CPURealtimeRuntime int64
	PidsLimit          *int64 // nil: no limit set
	OomKillDisable     bool
	Devices            []Device
	// CDIDevices are devices: named by CDI ("vendor.com/class=name"),
	// requested from the engine's cdi driver (API 1.44).
	CDIDevices        []string
	DeviceCgroupRules []string
	Ulimits           []Ulimit // by name
}

// Device is a host device made available in the container.
type Device struct {
	Host        string
	Container   string
	Permissions string // "rwm" and its subsets
}

// Ulimit is one resource limit.
type Ulimit struct {
	Name string
	Soft int64
	Hard int64
}
