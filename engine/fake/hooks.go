package fake

import (
	"maps"
	"time"

	"berth/engine"
)

// failure is one injected error, for any target ("") or one.
type failure struct {
	target string
	err    error
}

// FailNext makes the next call of method (the Engine method's name, e.g.
// "CreateContainer") return err instead of doing anything.
func (e *Engine) FailNext(method string, err error) {
	e.FailNextOn(method, "", err)
}

// FailNextOn makes the next call of method on target return err. The
// target is what the call names first: the container's ID or name (its spec
// name for CreateContainer), the network's, the volume's, the image
// reference (the first tag for BuildImage).
func (e *Engine) FailNextOn(method, target string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fails[method] = append(e.fails[method], failure{target: target, err: err})
}

// takeFailure pops the first failure queued for method that matches target.
func (e *Engine) takeFailure(method, target string) error {
	q := e.fails[method]
	for i, f := range q {
		if f.target == "" || f.target == target || e.sameContainer(f.target, target) {
			e.fails[method] = append(q[:i:i], q[i+1:]...)
			return f.err
		}
	}
	return nil
}

// sameContainer says whether a and b name the same container (ID vs name).
func (e *Engine) sameContainer(a, b string) bool {
	ca, cb := e.lookup(a), e.lookup(b)
	return ca != nil && ca == cb
}

// Calls is how many times method was called (failed calls included).
func (e *Engine) Calls(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method]
}

// AllCalls is a copy of every method's call count.
func (e *Engine) AllCalls() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.calls)
}

// ResetCalls sets every call count back to zero, e.g. after a test's setup.
func (e *Engine) ResetCalls() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.calls)
}

// SetHealth sets a running container's health status, emitting
// health_status when it changes.
func (e *Engine) SetHealth(id string, h engine.Health) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.lookup(id)
	if c == nil {
		return wrap("container", id, notFound("No such container: %s", id))
	}
	if c.state != engine.StateRunning && c.state != engine.StatePaused {
		return wrap("container", id, plain("container %s is not running", c.id))
	}
	e.setHealthLocked(c, h)
	return nil
}

// ReservePort makes host port p taken, as if another process listened on
// it: a container that publishes it fails to start with the engine's
// "port is already allocated".
func (e *Engine) ReservePort(p uint16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reserved[p] = true
}

// ReleasePort undoes ReservePort.
func (e *Engine) ReleasePort(p uint16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.reserved, p)
}

// SetRestartDelay sets the delay before the first restart a restart policy
// makes (the engine's is 100ms); it doubles with each further restart.
func (e *Engine) SetRestartDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.restart = d
}
