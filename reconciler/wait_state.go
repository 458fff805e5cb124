package reconciler

import (
	"fmt"
	"maps"
	"slices"

	"berth/engine"
)

// apply updates the state with one engine event.
func (w *waitState) apply(ev engine.Event) {
	c, ok := w.containers[ev.ContainerID]
	if !ok {
		return
	}
	switch ev.Action {
	case engine.EventStart:
		c.state = engine.StateRunning
		if c.healthcheck {
			c.health = engine.HealthStarting
		}
	case engine.EventHealth:
		c.health = ev.Health
	case engine.EventKill:
		c.userStop = c.userStop || stopSignal(ev.Signal, "")
	case engine.EventStop:
		c.userStop = true
		if c.state == engine.StateRestarting {
			c.state = engine.StateExited
		}
	case engine.EventDie:
		c.code, c.state = ev.ExitCode, engine.StateExited
		if restart, _ := restarts(c.restart, c.restarts, ev.ExitCode); restart && !c.userStop {
			c.state, c.restarts = engine.StateRestarting, c.restarts+1
		}
	case engine.EventDestroy:
		delete(w.containers, ev.ContainerID)
	}
}

// verdict lists the services not ready yet, each with why, in name order;
// err is set when one can no longer become ready.
func (w *waitState) verdict() (pending []string, err error) {
	for _, svc := range w.services {
		found := false
		for _, id := range slices.Sorted(maps.Keys(w.containers)) {
			c := w.containers[id]
			if c.service != svc {
				continue
			}
			found = true
			ready, why, failed := c.readiness(w.oneShot[svc])
			if failed {
				return nil, fmt.Errorf("service %q is not ready: container %q %s", svc, c.name, why)
			}
			if !ready {
				pending = append(pending, fmt.Sprintf("service %q: container %q %s", svc, c.name, why))
			}
		}
		if !found {
			pending = append(pending, fmt.Sprintf("service %q: no container", svc))
		}
	}
	return pending, nil
}

// readiness says whether one container is ready, why not, and whether it
// has failed for good.
func (c *waitContainer) readiness(oneShot bool) (ready bool, why string, failed bool) {
	switch {
	case oneShot && c.state == engine.StateExited && c.code == 0:
		return true, "", false
	case c.state == engine.StateExited || c.state == engine.StateDead:
		return false, fmt.Sprintf("exited with code %d", c.code), true
	case oneShot:
		return false, "has not completed yet (" + string(c.state) + ")", false
	case c.state == engine.StateRestarting:
		return false, "is restarting", false
	case c.state != engine.StateRunning:
		return false, "is " + string(c.state), false
	case c.health == engine.HealthUnhealthy:
		return false, "is unhealthy", true
	case c.healthcheck && c.health != engine.HealthHealthy:
		return false, "is not healthy yet (health: " + string(c.health) + ")", false
	}
	return true, "", false
}
