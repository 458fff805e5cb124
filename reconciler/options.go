package reconciler

import "time"

// UpOptions are the choices of `up` that shape its plan.
type UpOptions struct {
	Services []string // only these (and what they depend on); empty: all
	NoDeps   bool     // only the named services, not what they depend on
	// AllResources creates every network and volume the project declares,
	// also those no service uses (--all-resources).
	AllResources     bool
	ForceRecreate    bool
	NoRecreate       bool
	RemoveOrphans    bool
	IgnoreOrphans    bool // COMPOSE_IGNORE_ORPHANS: no orphan warning
	RenewAnonVolumes bool // -V: new anonymous volumes instead of the old ones
	NoStart          bool
	// RecreateVolumes (-y) recreates a volume whose settings changed, with
	// the containers that mount it; its data is lost. Without it Up asks
	// Confirm, volume by volume; a volume not confirmed is kept, with a
	// warning.
	RecreateVolumes bool
	// Confirm asks the user a yes/no question: Up asks it, between
	// planning and applying (the planner never does), whether to recreate
	// each volume whose settings changed, with Docker Compose's words. nil
	// answers no.
	Confirm func(question string) bool
	Build   bool // build images even when present
	NoBuild bool
	// AlwaysRecreateDeps recreates the dependencies of the named services
	// too, changed or not.
	AlwaysRecreateDeps bool
	// Pull overrides every service's pull_policy: "always", "missing",
	// "never", "build" (or any pull_policy value); "" or "policy" keeps
	// each service's own.
	Pull        string
	Scale       map[string]int // --scale SERVICE=N
	Timeout     *time.Duration // -t: stop timeout when replacing containers
	Wait        bool           // wait for running/healthy
	WaitTimeout time.Duration
	// Attach are the services whose containers attached up follows: the
	// plan attaches to each before starting it (AttachedServices picks them).
	Attach []string

	// Now is the planning clock for the timed pull policies; zero is the
	// current time.
	Now time.Time

	// InjectKey keys the label that tells whether the secrets and configs
	// written into a container changed (LabelInjected). The caller loads
	// it (berth: from the user's config dir) so that planning reads no
	// file. Required when a service has secrets or configs from
	// environment: or content:.
	InjectKey []byte

	// ProxyEnv are the proxy variables of the docker CLI's configuration
	// (HTTP_PROXY, http_proxy, …): each container gets those its service's
	// environment does not set.
	ProxyEnv map[string]string

	// built is set by Up once the builds ran: the plan against the new
	// images must not ask for them again.
	built bool
	// pulled is set by Up once the pulls ran, for the same reason.
	pulled bool
	// recreateVolumes are the volumes (by key) whose recreation the user
	// confirmed: Up plans again with them.
	recreateVolumes map[string]bool
	// staleTasks are the containers whose start the engine refused for a
	// reason only a new container clears, a task a crash left behind or a
	// network gone (container → the reason, with the engine's words,
	// stale.go): Up plans again with them, and the plan replaces them.
	staleTasks map[string]string
}

// DownOptions are the choices of `down`.
type DownOptions struct {
	// Services are the services named on the command line (with what
	// depends on them); empty: the whole project.
	Services      []string
	RemoveOrphans bool
	Volumes       bool   // -v: remove named and anonymous volumes
	RemoveImages  string // --rmi: "", "local" (images berth built) or "all"
	Timeout       *time.Duration
	// noProviders leaves the provider services' down out: a second round
	// of Down takes what was created meanwhile, the providers ran once.
	noProviders bool
}
