package reconciler

import (
	"fmt"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/network"
)

// Op is the kind of an action; each maps to one engine call (the waits map
// to one subscription).
type Op string

// The operations a plan is made of.
const (
	OpCreateNetwork Op = "create-network"
	OpCreateVolume  Op = "create-volume"
	OpBuild         Op = "build"
	OpCreate        Op = "create"
	OpStart         Op = "start"
	OpWaitHealthy   Op = "wait-healthy"
	OpWaitExit      Op = "wait-exit"
	OpStop          Op = "stop"
	OpRemove        Op = "remove"
	OpRename        Op = "rename"
	OpRemoveNetwork Op = "remove-network"
	OpRemoveVolume  Op = "remove-volume"
	OpRemoveImage   Op = "remove-image"
)

// Action is one step of a plan: one engine call on one resource, the reason
// it is needed, and the actions that must finish before it.
type Action struct {
	Op      Op
	Target  string // container, network, volume or image name
	Service string // the service it serves, "" for project resources
	Reason  string // "not found", "config changed: environment.FOO"
	After   []int  // indexes of the actions that must finish first
	// Soft are the entries of After whose failure does not stop this
	// action (depends_on with required: false): it still waits for them,
	// then goes on with a warning.
	Soft []int
	// Optional marks an action whose failure is a warning, not an error of
	// the run: a wait only optional dependents need, the removal of a
	// duplicate network (planDuplicateNetworks).
	Optional bool

	// Recreate marks the stop, remove and create of a replacement, so
	// progress says "Recreate"/"Recreated" as Docker Compose does.
	Recreate bool
	// Temp is the temporary name of a replacement container: its create
	// makes it under Temp (Target is the name it ends with), and the rename
	// gives it Target once the old container is gone.
	Temp string
	// PublishesPorts marks starts that bind host ports, so a failed start
	// names the ports.
	PublishesPorts bool

	Container *engine.ContainerSpec // create; pre-start: the hook container, but for its command
	// Providers (create) are the provider services whose variables the
	// container gets, in order (plan_provider.go).
	Providers []string
	Provider  *types.ServiceProviderConfig // provider-up, -stop, -down
	Hooks     []Hook                       // pre-start, post-start, pre-stop (plan_hooks.go)
	Inject    []InjectedFile               // create: written in before the start
	Network   *network.Spec                // create-network
	Endpoint  *network.Endpoint            // connect, disconnect: the network (and how to join it)
	Volume    *engine.VolumeSpec           // create-volume
	Build     *BuildTarget                 // build
	Pull      *PullTarget                  // pull (plan_pull.go)
	Grace     *time.Duration               // stop: nil means the container's own timeout
	Remove    engine.RemoveOptions         // remove
	Force     bool                         // remove-image
	Timeout   time.Duration                // waits: 0 means no limit
	Signal    string                       // kill: "" means SIGKILL
	// Disconnects (remove-network) are the IDs of the containers this run
	// stops whose release from the network the removal awaits.
	Disconnects []string
}

// BuildTarget is an image to build for a service.
type BuildTarget struct {
	Image   string
	Service types.ServiceConfig
}

// Plan is what Apply does: a DAG of actions in an order that respects
// After, plus the warnings found while planning.
type Plan struct {
	Project  *types.Project
	Actions  []Action
	Warnings []string
	// Replicas are the containers each service of the plan has once it is
	// applied, by service.
	Replicas map[string][]string
	// keptVolumes are the volumes whose settings changed that the plan
	// keeps, for Up to ask about (plan_volume_drift.go).
	keptVolumes []volumeDrift
}

// String renders the plan one action a line; tests compare it whole.
//
//	#0 create-network demo_default (not found)
//	#1 create demo-web-1 (not found) after #0
func (p Plan) String() string {
	var b strings.Builder
	for i, a := range p.Actions {
		fmt.Fprintf(&b, "#%d %s %s", i, a.Op, a.Target)
		switch {
		case a.Temp != "" && a.Op == OpCreate:
			b.WriteString(" as " + a.Temp)
		case a.Temp != "" && a.Op == OpRename:
			b.WriteString(" from " + a.Temp)
		case a.Op == OpConnect:
			b.WriteString(" to " + a.Endpoint.Network)
		case a.Op == OpDisconnect:
			b.WriteString(" from " + a.Endpoint.Network)
		}
		if a.Reason != "" {
			fmt.Fprintf(&b, " (%s)", a.Reason)
		}
		if len(a.After) > 0 {
			deps := make([]string, len(a.After))
			for j, d := range a.After {
				deps[j] = fmt.Sprintf("#%d", d)
			}
			b.WriteString(" after " + strings.Join(deps, ","))
		}
		if len(a.Soft) > 0 {
			b.WriteString(" (optional " + refs(a.Soft) + ")")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func refs(idx []int) string {
	out := make([]string, len(idx))
	for j, d := range idx {
		out[j] = fmt.Sprintf("#%d", d)
	}
	return strings.Join(out, ",")
}

// Empty reports whether the plan changes nothing: attaching to a
// container changes nothing on the engine.
func (p Plan) Empty() bool { return len(p.Actions) == p.Count(OpAttach) }

// add appends a and returns its index.
func (p *Plan) add(a Action) int {
	p.Actions = append(p.Actions, a)
	return len(p.Actions) - 1
}

// Count is how many actions of op the plan holds.
func (p Plan) Count(op Op) int {
	n := 0
	for _, a := range p.Actions {
		if a.Op == op {
			n++
		}
	}
	return n
}
