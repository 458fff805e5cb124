package fake

import (
	"path"
	"strings"
	"time"

	"berth/engine"
)

// run is one run of a container's program. Whatever it does after the run
// has ended (stop, kill, remove) is dropped.
type run struct {
	e    *Engine
	c    *container
	gen  int
	stop <-chan struct{}
}

// main runs the container's command and ends the run with its exit code;
// a program that never ends by itself waits for stop or kill.
func (r *run) main(args []string) {
	code, done := interpret(args, r)
	if done {
		r.e.exited(r.c, r.gen, code)
	}
}

// live says whether the run is still the container's current one.
// Callers hold e.mu.
func (r *run) live() bool {
	return r.c.gen == r.gen && r.c.running() && !r.c.removed
}

func (r *run) write(stderr bool, s string) {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if r.live() {
		r.e.outputLocked(r.c, stderr, s)
	}
}

func (r *run) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.stop:
		return false
	}
}

func (r *run) forever() { <-r.stop }

func (r *run) readFile(name string) (string, bool) {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	files, rel := r.e.filesLocked(r.c, name)
	s, ok := files[rel]
	return s, ok
}

func (r *run) writeFile(name, data string, appendTo bool) {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if !r.live() {
		return
	}
	files, rel := r.e.filesLocked(r.c, name)
	if appendTo {
		data = files[rel] + data
	}
	files[rel] = data
}

// filesLocked is the file map that holds name (the volume or bind mounted
// at the longest matching target, else the container's own files) and the
// name's key in it.
func (e *Engine) filesLocked(c *container, name string) (map[string]string, string) {
	name = path.Clean("/" + name)
	best := -1
	for i, m := range c.mounts {
		t := path.Clean(m.Target)
		if (name == t || strings.HasPrefix(name, strings.TrimSuffix(t, "/")+"/")) &&
			(best < 0 || len(t) > len(c.mounts[best].Target)) {
			best = i
		}
	}
	if best < 0 {
		return c.files, name
	}
	m := c.mounts[best]
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(name, path.Clean(m.Target)), "/")
	switch m.Type {
	case "volume":
		if v, ok := e.volumes[m.Source]; ok {
			return v.files, rel
		}
	case "bind":
		if e.binds[m.Source] == nil {
			e.binds[m.Source] = map[string]string{}
		}
		return e.binds[m.Source], rel
	}
	return c.files, name
}

// probe runs the healthcheck every interval until the run ends: a zero
// exit makes the container healthy, retries failures in a row (after the
// start period) unhealthy. Zero settings are the engine's defaults. A
// probe the interpreter cannot decide leaves the status to SetHealth.
func (r *run) probe(hc *engine.Healthcheck) {
	interval, start, retries := durationOr(hc.Interval, 30*time.Second), durationOr(hc.StartPeriod, 0), hc.Retries
	if retries <= 0 {
		retries = 3
	}
	began, failures := time.Now(), 0
	for r.sleep(interval) {
		code, done := interpret(probeArgv(hc.Test), &probeProc{r})
		if !done {
			return
		}
		if code != 0 && time.Since(began) >= start {
			failures++
		} else if code == 0 {
			failures = 0
		}
		if !r.report(code == 0, failures >= retries) {
			return
		}
	}
}

// report records a probe result; false when the run has ended.
func (r *run) report(healthy, unhealthy bool) bool {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if !r.live() {
		return false
	}
	switch {
	case healthy:
		r.e.setHealthLocked(r.c, engine.HealthHealthy)
	case unhealthy:
		r.e.setHealthLocked(r.c, engine.HealthUnhealthy)
	}
	return true
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// probeProc runs a probe inside the container: it sees the container's
// files, its output goes nowhere, sleeps take no time and a program that
// would run forever leaves the probe undecided.
type probeProc struct{ r *run }

func (p *probeProc) write(bool, string)                    {}
func (p *probeProc) sleep(time.Duration) bool              { return true }
func (p *probeProc) forever()                              {}
func (p *probeProc) readFile(name string) (string, bool)   { return p.r.readFile(name) }
func (p *probeProc) writeFile(name, data string, app bool) { p.r.writeFile(name, data, app) }
