package fake

import (
	"context"
	"slices"
	"sync"

	"berth/engine"
)

// leaveSubscriber is one NetworkDisconnects call; like subscriber, its
// queue is unbounded so the engine never waits under its lock.
type leaveSubscriber struct {
	networks []string
	mu       sync.Mutex
	queue    []engine.NetworkDisconnect
	ready    chan struct{}
}

// NetworkDisconnects streams the disconnects from the named networks from
// now on: a running container leaves its networks when it dies (stop, kill,
// exit, forced removal) or is disconnected, as the engine reports it.
func (e *Engine) NetworkDisconnects(ctx context.Context, networks []string) (<-chan engine.NetworkDisconnect, <-chan error) {
	out, errs := make(chan engine.NetworkDisconnect), make(chan error, 1)
	if err := e.enter(ctx, "NetworkDisconnects", ""); err != nil {
		errs <- err
		close(out)
		close(errs)
		return out, errs
	}
	s := &leaveSubscriber{networks: slices.Clone(networks), ready: make(chan struct{}, 1)}
	e.mu.Lock()
	if e.leaveSubs == nil {
		e.leaveSubs = map[*leaveSubscriber]struct{}{}
	}
	e.leaveSubs[s] = struct{}{}
	e.mu.Unlock()
	go func() {
		defer close(errs)
		defer close(out)
		defer func() {
			e.mu.Lock()
			delete(e.leaveSubs, s)
			e.mu.Unlock()
		}()
		for {
			select {
			case <-s.ready:
			case <-ctx.Done():
				return
			}
			s.mu.Lock()
			q := s.queue
			s.queue = nil
			s.mu.Unlock()
			for _, ev := range q {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, errs
}

// disconnectedLocked tells the subscribers of network that container id
// left it.
func (e *Engine) disconnectedLocked(network, id string) {
	for s := range e.leaveSubs {
		if !slices.Contains(s.networks, network) {
			continue
		}
		s.mu.Lock()
		s.queue = append(s.queue, engine.NetworkDisconnect{Network: network, ContainerID: id})
		s.mu.Unlock()
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}
