package reconciler

import (
	"slices"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// The operations that move a container off a network and back on, around
// the recreate of a network whose settings changed.
const (
	OpDisconnect Op = "disconnect"
	OpConnect    Op = "connect"
)

// planNetworkRecreate recreates network key, present as info but with
// settings other than the file's (changed names the first that differs),
// as Docker Compose does: each container on it is stopped and disconnected,
// the network removed and created again, and the containers connected
// again, keeping their identity. A container that was running starts again
// (planReplica, through pl.reconnects, for the services this run plans;
// here for the others and for one-offs). It returns the create of the
// network, which the creates of new containers wait for.
func (pl *planner) planNetworkRecreate(key string, spec network.Spec, info network.Info, changed string) int {
	why := "network " + key + " config changed"
	var disconnects []int
	var on []engine.Container
	for _, c := range pl.st.Containers {
		if !slices.Contains(c.Networks, info.Name) {
			continue
		}
		on = append(on, c)
		after := []int{}
		if isRunning(c) {
			after = append(after, pl.plan.add(Action{Op: OpStop, Target: c.Name, Service: c.Labels[project.LabelService], Reason: why, Grace: pl.o.Timeout}))
		}
		disconnects = append(disconnects, pl.plan.add(Action{Op: OpDisconnect, Target: c.Name, Service: c.Labels[project.LabelService],
			Reason: why, Endpoint: &network.Endpoint{Network: info.Name}, After: after}))
	}
	reason := "config changed: " + changed
	removed := pl.plan.add(Action{Op: OpRemoveNetwork, Target: info.Name, Reason: reason, After: disconnects})
	created := pl.plan.add(Action{Op: OpCreateNetwork, Target: spec.Name, Reason: reason, Network: &spec, After: []int{removed}})
	for _, c := range on {
		ep := pl.endpointOn(c, spec.Name)
		svc := c.Labels[project.LabelService]
		i := pl.plan.add(Action{Op: OpConnect, Target: c.Name, Service: svc, Reason: why, Endpoint: &ep, After: []int{created}})
		if !pl.selected[svc] || c.Labels[project.LabelOneOff] == "True" {
			// no replica plan of this run starts it again: start it here
			if isRunning(c) {
				pl.plan.add(Action{Op: OpStart, Target: c.Name, Service: svc, Reason: why, After: []int{i}})
			}
			continue
		}
		r := pl.reconnects[c.Name]
		r.connects = append(r.connects, i)
		r.reason = why
		r.wasRunning = isRunning(c)
		pl.reconnects[c.Name] = r
	}
	return created
}

// reconnect is what a network recreate did to one container: the
// connects after which it may start again, and why it stopped.
type reconnect struct {
	connects   []int
	reason     string
	wasRunning bool
}

// endpointOn is how container c joins network name again: as its service
// declares it on network name, or by its service's name alone for a container whose
// service the file no longer has.
func (pl *planner) endpointOn(c engine.Container, name string) network.Endpoint {
	svc := c.Labels[project.LabelService]
	if s, ok := pl.p.Services[svc]; ok {
		for _, ep := range endpoints(pl.p, s) {
			if ep.Network == name {
				return ep
			}
		}
	}
	return network.Endpoint{Network: name, Aliases: []string{svc}}
}

// startAfterReconnect starts container name of d's service once the
// network recreates that stopped it are over (and one that was not running,
// as up starts it anyway), and reports whether it planned the start.
func (pl *planner) startAfterReconnect(d *desired, name string) bool {
	r, ok := pl.reconnects[name]
	if !ok {
		return false
	}
	reason := "not running"
	if r.wasRunning {
		reason = r.reason
	}
	first := len(pl.plan.Actions)
	pl.start(d.service, name, reason, r.connects[0])
	if first < len(pl.plan.Actions) && pl.plan.Actions[first].Op == OpStart {
		pl.plan.Actions[first].After = uniqueSorted(append(pl.plan.Actions[first].After, r.connects...))
	}
	return true
}
