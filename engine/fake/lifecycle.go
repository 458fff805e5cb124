package fake

import (
	"strconv"
	"strings"
	"time"

	"berth/engine"
)

// dieLocked ends the current run with code: die event, streams closed,
// waiters told, ports freed, health (if any) unhealthy.
func (e *Engine) dieLocked(c *container, code int) {
	c.state, c.exitCode, c.finishedAt = engine.StateExited, code, time.Now()
	c.ports = nil
	if c.health != engine.HealthNone {
		c.health = engine.HealthUnhealthy // as the engine reports it, without an event
	}
	if c.stop != nil {
		close(c.stop)
		c.stop = nil
	}
	e.emitLocked(c, engine.Event{Action: engine.EventDie, ExitCode: code})
	for n := range c.networks {
		e.disconnectedLocked(n, c.id)
	}
	for a := range c.attached {
		a.close()
	}
	clear(c.attached)
	for _, w := range c.waiters {
		w <- code
	}
	c.waiters = nil
}

// exited is the end of a run by itself: its program finished with code.
func (e *Engine) exited(c *container, gen, code int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c.gen != gen || !c.running() || c.removed {
		return // stopped, killed or removed meanwhile
	}
	e.dieLocked(c, code)
	if restarts(c.spec.Restart, code, c.restartCount) {
		e.scheduleRestartLocked(c)
	}
}

// restarts says whether the policy restarts a container that exited by
// itself with code after n restarts.
func restarts(p engine.RestartPolicy, code, n int) bool {
	switch p.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return code != 0 && (p.MaxRetries == 0 || n < p.MaxRetries)
	}
	return false
}

// scheduleRestartLocked restarts c after the engine's back-off (the delay
// doubles with every restart), unless it is stopped or removed meanwhile.
func (e *Engine) scheduleRestartLocked(c *container) {
	c.restartCount++
	c.state = engine.StateRestarting
	delay := e.restart << min(c.restartCount-1, 10)
	gen := c.gen
	time.AfterFunc(delay, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if c.removed || c.gen != gen || c.state != engine.StateRestarting {
			return
		}
		ports, err := e.allocatePortsLocked(c)
		if err != nil {
			c.state = engine.StateExited
			return
		}
		e.startLocked(c, ports)
	})
}

// healthcheck says whether the spec has a healthcheck, and the probe's
// command when the fake can run it (nil: only SetHealth changes it).
func healthcheck(s engine.ContainerSpec) (bool, *engine.Healthcheck) {
	hc := s.Healthcheck
	if hc == nil || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return false, nil
	}
	if probeArgv(hc.Test) == nil {
		return true, nil
	}
	return true, hc
}

// probeArgv is the probe's command line: CMD args, or CMD-SHELL through sh.
func probeArgv(test []string) []string {
	switch test[0] {
	case "CMD":
		return test[1:]
	case "CMD-SHELL":
		return []string{"sh", "-c", strings.Join(test[1:], " ")}
	}
	return nil
}

// setHealthLocked changes the health status, emitting health_status.
func (e *Engine) setHealthLocked(c *container, h engine.Health) {
	if c.health == h {
		return
	}
	c.health = h
	e.emitLocked(c, engine.Event{Action: engine.EventHealth, Health: h})
}

// allocatePortsLocked gives c's published ports their host ports, failing
// as the engine does when one is taken.
func (e *Engine) allocatePortsLocked(c *container) ([]engine.Port, error) {
	var out []engine.Port
	for _, p := range c.spec.Ports {
		port := engine.Port{HostIP: p.HostIP, ContainerPort: uint16(p.Target), Protocol: p.Protocol}
		if port.HostIP == "" { // the engine reports the wildcard address
			port.HostIP = "0.0.0.0"
		}
		host, err := e.hostPortLocked(p.Published, port.Protocol, out)
		if err != nil {
			return nil, plain("driver failed programming external connectivity on endpoint %s (%s): "+
				"Bind for %s:%s failed: port is already allocated", c.name, c.id, port.HostIP, p.Published)
		}
		port.HostPort = host
		out = append(out, port)
	}
	return out, nil
}

// hostPortLocked picks the host port for a published value: the first
// port of "8080" or "8080-8090" that is free, or an ephemeral one for "".
func (e *Engine) hostPortLocked(published, proto string, taken []engine.Port) (uint16, error) {
	lo, hi := 0, 0
	if published == "" || published == "0" {
		lo, hi = int(e.nextPort), 60999
	} else {
		a, b, isRange := strings.Cut(published, "-")
		lo, _ = strconv.Atoi(a)
		hi = lo
		if isRange {
			hi, _ = strconv.Atoi(b)
		}
	}
	for p := lo; p <= hi && p > 0 && p < 65536; p++ {
		if !e.portTakenLocked(uint16(p), proto, taken) {
			if published == "" || published == "0" {
				e.nextPort = uint16(p + 1)
			}
			return uint16(p), nil
		}
	}
	return 0, plain("port is already allocated")
}

func (e *Engine) portTakenLocked(p uint16, proto string, taken []engine.Port) bool {
	if e.reserved[p] {
		return true
	}
	for _, t := range taken {
		if t.HostPort == p && t.Protocol == proto {
			return true
		}
	}
	for _, c := range e.containers {
		for _, t := range c.ports {
			if t.HostPort == p && t.Protocol == proto {
				return true
			}
		}
	}
	return false
}
