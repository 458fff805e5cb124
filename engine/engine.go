package engine

import (
	"context"
	"errors"
	"io"
	"time"

	"berth/imagebuild"
	"berth/network"
)

// ErrNotFound and ErrExists are the two outcomes callers branch on; adapters
// return errors that match them with errors.Is. Every other engine error
// keeps the engine's own words, wrapped with the resource name.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Engine is everything the reconciler and the supervisor need from a
// container engine. engine/docker implements it on a real Docker Engine,
// engine/fake in memory; engine/enginetest holds them to the same contract.
type Engine interface {
	Reader
	Networks
	Containers
	Volumes
	Images
	Registry
	Archive
	// Exec is the engine's exec API, or nil when it has none.
	Exec() Exec
	// Interactive is the engine's terminal attach, or nil when it has none.
	Interactive() Interactive
}

// Reader is the read-only part of Engine: what ps, logs, top, port,
// images, events, stats and ls receive, so their signatures say they change
// nothing.
type Reader interface {
	// ListContainers returns the containers labelled with the project
	// (all of them, running or not), sorted by name, with the fields a
	// list fills (see Container).
	ListContainers(ctx context.Context, filter ContainerFilter) ([]Container, error)
	InspectContainer(ctx context.Context, id string) (Container, error)
	// Logs streams the container's logged output.
	Logs(ctx context.Context, id string, opts LogOptions) (Stream, error)
	InspectImage(ctx context.Context, ref string) (Image, error)
	Events(ctx context.Context, filter EventFilter) (<-chan Event, <-chan error)
	// APIVersion is the Docker Engine API version both sides speak ("1.41"
	// on Engine 20.10), known since the engine was reached: what berth may
	// ask of it (see Feature).
	APIVersion() string
	// Inspection is the engine's process and resource reports, or nil when
	// it has none.
	Inspection() Inspection
}

// Networks are the network calls.
type Networks interface {
	InspectNetwork(ctx context.Context, name string) (network.Info, error)
	CreateNetwork(ctx context.Context, spec network.Spec) (id string, err error)
	RemoveNetwork(ctx context.Context, name string) error
	ListNetworks(ctx context.Context, project string) ([]network.Info, error)
	ConnectNetwork(ctx context.Context, network, container string, ep network.Endpoint) error
	DisconnectNetwork(ctx context.Context, network, container string) error
	// NetworkDisconnects streams the disconnects from the named networks
	// from now on: the engine has subscribed when it returns. Both channels
	// close when ctx ends or the stream fails (the error first). down
	// removes a network only once the engine has released the endpoints of
	// the containers it stopped: on Docker Engine 20.10 a stop returns
	// before the endpoint is gone, and a network removed in between keeps a
	// phantom endpoint ("has active endpoints").
	NetworkDisconnects(ctx context.Context, networks []string) (<-chan NetworkDisconnect, <-chan error)
}

// NetworkDisconnect is one container leaving one network.
type NetworkDisconnect struct {
	Network     string // name
	ContainerID string
}

// Containers are the container calls. A container is named by its ID or its
// name wherever an id parameter appears.
type Containers interface {
	CreateContainer(ctx context.Context, spec ContainerSpec) (id string, err error)
	StartContainer(ctx context.Context, id string) error
	// StopContainer sends the stop signal, then SIGKILL after grace
	// (nil: the container's own stop timeout).
	StopContainer(ctx context.Context, id string, grace *time.Duration) error
	KillContainer(ctx context.Context, id, signal string) error
	// RenameContainer gives the container a new name; a name another
	// container holds is ErrExists.
	RenameContainer(ctx context.Context, id, newName string) error
	// RemoveContainer removes a stopped container (force also a running one);
	// volumes also removes its anonymous volumes.
	RemoveContainer(ctx context.Context, id string, opts RemoveOptions) error
	PauseContainer(ctx context.Context, id string) error
	UnpauseContainer(ctx context.Context, id string) error
	// WaitContainer blocks until the container is not running and returns
	// its exit code. Call it before starting the container to never miss a
	// quick exit.
	WaitContainer(ctx context.Context, id string) (<-chan int, <-chan error)
	// Attach streams the container's output from now on (stdout and stderr
	// separately). Attach before start to see the first line.
	Attach(ctx context.Context, id string) (Stream, error)
}

// Volumes are the volume calls.
type Volumes interface {
	InspectVolume(ctx context.Context, name string) (Volume, error)
	CreateVolume(ctx context.Context, spec VolumeSpec) (Volume, error)
	ListVolumes(ctx context.Context, project string) ([]Volume, error)
	RemoveVolume(ctx context.Context, name string) error
}

// Images are the image calls.
type Images interface {
	// BuildImage runs a build and returns the new image's ID.
	BuildImage(ctx context.Context, req imagebuild.Request, out imagebuild.Output) (id string, err error)
	// ImportImage makes an image from a root filesystem tarball.
	ImportImage(ctx context.Context, rootfs io.Reader, ref string, changes []string) (id string, err error)
	RemoveImage(ctx context.Context, ref string, force bool) error
	// CommitContainer makes an image of the container's filesystem and
	// returns its ID.
	CommitContainer(ctx context.Context, id string, opts CommitOptions) (imageID string, err error)
}

// CommitOptions control CommitContainer.
type CommitOptions struct {
	Ref     string   // the tag to give the image; "" leaves it untagged
	Author  string   // -a
	Message string   // -m
	Changes []string // -c: Dockerfile instructions (ENV, LABEL, CMD, ...)
	NoPause bool     // do not pause the container while committing
}

// ContainerFilter selects containers. Project is required: berth never
// looks at what another project owns.
type ContainerFilter struct {
	Project  string
	Services []string // empty: all
	OneOff   *bool    // nil: both
}

// Container is a container as the engine reports it.
//
// ListContainers fills it from one list call: ID, Name, Image (the
// reference it was created from; the image ID once that reference has moved
// to another image), ImageID, Command, Created (whole seconds), State,
// Status, Labels, Ports, Networks and Mounts; ExitCode only for an exited
// or restarting container and Health only for a running one (both read
// from Status). RestartPolicy, RestartCount, StartedAt and FinishedAt are
// zero in a list: InspectContainer fills every field.
type Container struct {
	ID       string
	Name     string
	Image    string // the reference it was created from
	ImageID  string
	Command  string
	Created  time.Time
	State    State
	Health   Health
	ExitCode int
	// Status is the engine's human status ("Up 3 seconds", "Exited (0) 2 minutes ago").
	Status   string
	Labels   map[string]string
	Ports    []Port
	Networks []string // names of the networks it is attached to, sorted
	// NetworkIDs are those networks' IDs, sorted, where the engine lists
	// them: they tell apart two networks of one name (network.Info's
	// Duplicates).
	NetworkIDs    []string
	Mounts        []Mount
	RestartPolicy RestartPolicy
	RestartCount  int
	StartedAt     time.Time
	FinishedAt    time.Time
}

// State is a container state as the engine names it.
type State string

const (
	StateCreated    State = "created"
	StateRunning    State = "running"
	StatePaused     State = "paused"
	StateRestarting State = "restarting"
	StateExited     State = "exited"
	StateDead       State = "dead"
	StateRemoving   State = "removing"
)

// Health is a healthcheck status; "" means the container has no healthcheck.
type Health string

const (
	HealthNone      Health = ""
	HealthStarting  Health = "starting"
	HealthHealthy   Health = "healthy"
	HealthUnhealthy Health = "unhealthy"
)

// Port is one published (or only exposed) port.
type Port struct {
	HostIP        string
	HostPort      uint16 // 0: not published
	ContainerPort uint16
	Protocol      string // tcp, udp, sctp
}

// Mount is one filesystem mount.
type Mount struct {
	Type string // bind, volume, tmpfs, image
	// Source is the host path (bind), the engine volume name (volume; ""
	// for anonymous) or the image reference (image).
	Source      string
	Target      string
	ReadOnly    bool
	Consistency string
	// Bind: create the host path when missing (short syntax does).
	CreateHostPath  bool
	BindPropagation string
	// SELinux relabels a bind's host path: "z" shared, "Z" private.
	SELinux string
	// BindRecursive is bind.recursive: "" or "enabled" (the default),
	// "disabled", "writable" or "readonly" (the last two need API 1.44).
	BindRecursive string
	VolumeNoCopy  bool
	// VolumeLabels label a volume the mount creates.
	VolumeLabels map[string]string
	TmpfsSize    int64
	TmpfsMode    uint32
	// Subpath mounts only this directory of the volume or image (API 1.45
	// for volumes, 1.48 with image mounts).
	Subpath string
}

// RestartPolicy is the engine's restart policy.
type RestartPolicy struct {
	Name       string // "no", "always", "on-failure", "unless-stopped"
	MaxRetries int
}

// RemoveOptions control RemoveContainer.
type RemoveOptions struct {
	Force   bool
	Volumes bool
}

// LogOptions control Logs.
type LogOptions struct {
	Follow     bool
	Tail       string // "all" or a number
	Since      string
	Until      string
	Timestamps bool
}

// Stream is a container's output. Stdout and Stderr are separate even when
// the engine multiplexes them; with a TTY everything arrives on Stdout.
type Stream struct {
	Stdout io.Reader
	Stderr io.Reader
	Close  func() error
}

// VolumeSpec is a volume to create.
type VolumeSpec struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}

// Volume is a volume as the engine reports it.
type Volume struct {
	Name       string
	Driver     string
	Labels     map[string]string
	Mountpoint string
}

// Image is an image as the engine reports it.
type Image struct {
	ID       string
	RepoTags []string
	Labels   map[string]string
	Created  time.Time
	Size     int64
	// LastTagTime is when the image was last tagged by a tag call; Docker
	// Engine 20.10 leaves it zero after a pull (see registry.PullLog).
	LastTagTime time.Time
}

// EventFilter selects engine events: those of the project's containers,
// from now on, or from Since when it is set (the engine replays the events
// it remembers since then first). With Until set the stream ends, without
// error, once the engine's clock passes Until; an Until in the past gives
// the replayed events and ends.
type EventFilter struct {
	Project string
	Since   time.Time
	Until   time.Time
}

// Event is one engine event about a container of the project. The engine
// reports a restart done by its restart policy as die followed by start,
// with no restart event in between.
type Event struct {
	Time        time.Time
	Action      EventAction
	ContainerID string
	Name        string
	Service     string
	Labels      map[string]string
	ExitCode    int    // die
	Health      Health // health_status
	Signal      string // kill
}

// EventAction is what happened.
type EventAction string

const (
	EventCreate  EventAction = "create"
	EventStart   EventAction = "start"
	EventDie     EventAction = "die"
	EventStop    EventAction = "stop"
	EventKill    EventAction = "kill"
	EventDestroy EventAction = "destroy"
	EventPause   EventAction = "pause"
	EventUnpause EventAction = "unpause"
	EventHealth  EventAction = "health_status"
	EventOOM     EventAction = "oom"
	EventRestart EventAction = "restart"
	EventRename  EventAction = "rename"
)
