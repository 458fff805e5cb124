package fake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"berth/engine"
)

var _ engine.Engine = (*Engine)(nil)

// Engine is the in-memory engine. The zero value is not usable; call New.
// All methods are safe for concurrent use.
type Engine struct {
	mu         sync.Mutex
	containers map[string]*container // by ID
	networks   map[string]*netw      // by ID
	volumes    map[string]*volume    // by name
	images     map[string]*image     // by ID
	tags       map[string]string     // normalized reference → image ID
	subs       map[*subscriber]struct{}
	history    []engine.Event                // the last events made, oldest first, for Since
	leaveSubs  map[*leaveSubscriber]struct{} // NetworkDisconnects calls; nil until one
	calls      map[string]int
	fails      map[string][]failure
	reserved   map[uint16]bool // host ports held outside the engine
	nextPort   uint16          // next ephemeral host port
	restart    time.Duration   // first restart delay, doubled per restart
	builds     []BuildRecord
	binds      map[string]map[string]string // bind mount source → files
	reg        registryState                // registry.go
	execs      map[string]*process          // exec.go; nil until the first
	apiVersion string                       // what it claims to speak
}

// DefaultAPIVersion is the API version a new fake speaks: Docker Engine
// 20.10's, the oldest berth supports, so the gated features (engine.Feature)
// are refused as that engine's adapter refuses them.
const DefaultAPIVersion = "1.41"

// APIVersion is the API version the fake claims to speak.
func (e *Engine) APIVersion() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apiVersion
}

// SetAPIVersion makes the fake speak another API version, for tests of
// what berth does on a newer engine.
func (e *Engine) SetAPIVersion(v string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.apiVersion = v
}

// Interactive is nil: the fake has no terminals.
func (e *Engine) Interactive() engine.Interactive { return nil }

// Inspection is nil: the fake reports no processes or resource use.
func (e *Engine) Inspection() engine.Inspection { return nil }

// New returns an empty engine that knows the given images (as if they had
// been pulled or imported) and the engine's default networks bridge, host
// and none.
func New(images ...string) *Engine {
	e := &Engine{
		containers: map[string]*container{},
		networks:   map[string]*netw{},
		volumes:    map[string]*volume{},
		images:     map[string]*image{},
		tags:       map[string]string{},
		subs:       map[*subscriber]struct{}{},
		calls:      map[string]int{},
		fails:      map[string][]failure{},
		reserved:   map[uint16]bool{},
		nextPort:   32768,
		restart:    100 * time.Millisecond,
		binds:      map[string]map[string]string{},
		apiVersion: DefaultAPIVersion,
	}
	for _, name := range []string{"bridge", "host", "none"} {
		e.networks[newID()] = &netw{name: name, driver: driverOf(name)}
	}
	for _, ref := range images {
		e.AddImage(ref, nil)
	}
	for id, n := range e.networks {
		n.id = id
	}
	return e
}

func driverOf(name string) string {
	if name == "bridge" {
		return "bridge"
	}
	return name // host, none
}

// newID is a random 64-hex ID, as the engine makes them.
func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// engineErr is an error in the engine's own words that matches one of the
// two sentinels (or none).
type engineErr struct {
	msg      string
	sentinel error
}

func (e *engineErr) Error() string { return e.msg }
func (e *engineErr) Unwrap() error { return e.sentinel }

func notFound(format string, args ...any) error {
	return &engineErr{msg: fmt.Sprintf(format, args...), sentinel: engine.ErrNotFound}
}

func conflict(format string, args ...any) error {
	return &engineErr{msg: fmt.Sprintf(format, args...), sentinel: engine.ErrExists}
}

func plain(format string, args ...any) error {
	return &engineErr{msg: fmt.Sprintf(format, args...)}
}

// wrap prefixes err with the resource kind and name, as the adapter does.
func wrap(kind, name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %q: %w", kind, name, err)
}

// enter counts the call, honours the context and any injected failure for
// method on target. Call it before taking the lock.
func (e *Engine) enter(ctx context.Context, method, target string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[method]++
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.takeFailure(method, target)
}
