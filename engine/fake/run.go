package fake

import (
	"context"
	"strconv"
	"time"

	"berth/engine"
)

// StartContainer starts a created or exited container; starting a running
// one does nothing, as with the engine.
func (e *Engine) StartContainer(ctx context.Context, id string) error {
	c, err := e.lockContainer(ctx, "StartContainer", id)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	switch c.state {
	case engine.StateRunning, engine.StateRestarting:
		return nil
	case engine.StatePaused:
		return wrap("container", id, plain("cannot start a paused container, try unpause instead"))
	}
	ports, err := e.allocatePortsLocked(c)
	if err != nil {
		if c.state == engine.StateCreated {
			c.exitCode = 128
		}
		return wrap("container", id, err)
	}
	c.restartCount, c.manual = 0, false
	e.startLocked(c, ports)
	return nil
}

// startLocked begins a new run of c: its program and its healthcheck.
func (e *Engine) startLocked(c *container, ports []engine.Port) {
	c.gen++
	c.state, c.startedAt, c.ports = engine.StateRunning, time.Now(), ports
	c.stop = make(chan struct{})
	c.health = engine.HealthNone
	hc, probe := healthcheck(c.spec)
	if hc {
		c.health = engine.HealthStarting
	}
	e.emitLocked(c, engine.Event{Action: engine.EventStart})
	r := &run{e: e, c: c, gen: c.gen, stop: c.stop}
	go r.main(argv(c.spec))
	if probe != nil {
		go r.probe(probe)
	}
}

// StopContainer stops a running container. The fake's programs ignore the
// stop signal as a busybox PID 1 does, so they end with SIGKILL (137), but
// at once: the grace period is not waited out.
func (e *Engine) StopContainer(ctx context.Context, id string, grace *time.Duration) error {
	c, err := e.lockContainer(ctx, "StopContainer", id)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	switch {
	case c.state == engine.StateRestarting:
		c.manual, c.state = true, engine.StateExited
	case c.running():
		e.emitLocked(c, engine.Event{Action: engine.EventKill, Signal: signalNumber(c.spec.StopSignal)})
		e.killLocked(c)
	default:
		return nil // not running: nothing to do, no event
	}
	e.emitLocked(c, engine.Event{Action: engine.EventStop})
	return nil
}

// KillContainer sends a signal. SIGKILL ends the run (137) for good; the
// fake's programs ignore every other signal, as a busybox PID 1 does.
func (e *Engine) KillContainer(ctx context.Context, id, signal string) error {
	c, err := e.lockContainer(ctx, "KillContainer", id)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	if signal == "" {
		signal = "SIGKILL"
	}
	num := signalNumber(signal)
	if num == "" {
		return wrap("container", id, plain("Invalid signal: %s", signal))
	}
	if !c.running() {
		return wrap("container", id, plain("Container %s is not running", c.id))
	}
	if num == "9" {
		e.killLocked(c)
		return nil
	}
	e.emitLocked(c, engine.Event{Action: engine.EventKill, Signal: num})
	return nil
}

// signalNumber is the engine's number for a signal named as the engine
// accepts it ("SIGKILL", "KILL", "9"), "" for an unknown one; no name
// means SIGTERM, the default stop signal.
func signalNumber(s string) string {
	names := map[string]int{"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}
	if s == "" {
		return "15"
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return s
	}
	if len(s) > 3 && s[:3] == "SIG" {
		s = s[3:]
	}
	if n, ok := names[s]; ok {
		return strconv.Itoa(n)
	}
	return ""
}

// WaitContainer reports the exit code of the container's next exit (the
// current run's when it is running).
func (e *Engine) WaitContainer(ctx context.Context, id string) (<-chan int, <-chan error) {
	codes, errs := make(chan int, 1), make(chan error, 1)
	c, err := e.lockContainer(ctx, "WaitContainer", id)
	if err != nil {
		errs <- err
		return codes, errs
	}
	defer e.mu.Unlock()
	w := make(chan int, 1)
	c.waiters = append(c.waiters, w)
	go func() {
		select {
		case code := <-w:
			codes <- code
		case <-ctx.Done():
			errs <- wrap("container", id, ctx.Err())
		}
	}()
	return codes, errs
}
