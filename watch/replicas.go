package watch

import (
	"context"
	"sync"

	"berth/engine"
)

// replicas remembers each service's running containers between batches, so
// a save costs one engine call (the copy) rather than two. The project's
// engine events forget a service whenever one of its containers changes;
// the session forgets one itself after its own restarts and rebuilds and
// when a container turns out to be gone. Without the event stream (before
// Follow, or after it failed) nothing is remembered.
type replicas struct {
	mu      sync.Mutex
	live    bool
	running map[string][]engine.Container
}

// Follow keeps the memory in step with the project's events until ctx ends
// or the stream fails.
func (r *replicas) Follow(ctx context.Context, eng engine.Reader, project string) {
	events, errs := eng.Events(ctx, engine.EventFilter{Project: project})
	r.mu.Lock()
	r.live, r.running = true, map[string][]engine.Container{}
	r.mu.Unlock()
	go func() {
		defer func() {
			r.mu.Lock()
			r.live, r.running = false, nil
			r.mu.Unlock()
		}()
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return
				}
				r.Forget(e.Service)
			case <-errs:
				return
			}
		}
	}()
}

// Get returns the remembered containers of service, if any.
func (r *replicas) Get(service string) ([]engine.Container, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cs, ok := r.running[service]
	return cs, ok
}

// Put remembers service's running containers while the events are followed.
func (r *replicas) Put(service string, cs []engine.Container) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live {
		r.running[service] = cs
	}
}

// Forget drops what is remembered of service.
func (r *replicas) Forget(service string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, service)
}
