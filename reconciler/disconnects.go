package reconciler

import (
	"context"
	"sync"
	"time"
)

// DisconnectWatcher is what an engine offers so that down removes a network
// only once the engine has released the endpoints of the containers it
// stopped: on Docker Engine 20.10 a stop returns before the endpoint is
// gone, and a network removed in between keeps a phantom endpoint ("has
// active endpoints"). Engines without it are not waited for.
type DisconnectWatcher interface {
	// NetworkDisconnects streams the disconnects from the named networks
	// from now on: the engine has subscribed when it returns. Both channels
	// close when ctx ends or the stream fails (the error first).
	NetworkDisconnects(ctx context.Context, networks []string) (<-chan NetworkDisconnect, <-chan error)
}

// NetworkDisconnect is one container leaving one network.
type NetworkDisconnect struct {
	Network     string // name
	ContainerID string
}

// disconnectWait bounds the wait for disconnects: past it the removal is
// tried anyway and reports the engine's own error, if any.
const disconnectWait = 20 * time.Second

// disconnects records the disconnects seen since Apply began.
type disconnects struct {
	mu     sync.Mutex
	seen   map[NetworkDisconnect]bool
	closed bool          // the stream ended: waiting is pointless
	change chan struct{} // closed and replaced on every change
}

// watchDisconnects subscribes, before any action runs, to the disconnects
// of the networks the plan removes after waiting; nil when there are none
// or the engine cannot tell.
func watchDisconnects(ctx context.Context, eng Engine, plan Plan) *disconnects {
	w, ok := eng.(DisconnectWatcher)
	var nets []string
	for _, act := range plan.Actions {
		if act.Op == OpRemoveNetwork && len(act.Disconnects) > 0 {
			nets = append(nets, act.Target)
		}
	}
	if !ok || len(nets) == 0 {
		return nil
	}
	d := &disconnects{seen: map[NetworkDisconnect]bool{}, change: make(chan struct{})}
	events, errs := w.NetworkDisconnects(ctx, uniqueStrings(nets))
	go d.record(events, errs)
	return d
}

func (d *disconnects) record(events <-chan NetworkDisconnect, errs <-chan error) {
	for ev := range events {
		d.mu.Lock()
		d.seen[ev] = true
		d.notifyLocked()
		d.mu.Unlock()
	}
	<-errs // the stream is over either way; the removal reports what matters
	d.mu.Lock()
	d.closed = true
	d.notifyLocked()
	d.mu.Unlock()
}

func (d *disconnects) notifyLocked() {
	close(d.change)
	d.change = make(chan struct{})
}

// await returns once every container of ids has left network, the stream
// ended, disconnectWait passed, or ctx ended.
func (d *disconnects) await(ctx context.Context, network string, ids []string) {
	if d == nil || len(ids) == 0 {
		return
	}
	timeout := time.NewTimer(disconnectWait)
	defer timeout.Stop()
	for {
		d.mu.Lock()
		done, change := d.closed || d.allSeenLocked(network, ids), d.change
		d.mu.Unlock()
		if done {
			return
		}
		select {
		case <-change:
		case <-timeout.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (d *disconnects) allSeenLocked(network string, ids []string) bool {
	for _, id := range ids {
		if !d.seen[NetworkDisconnect{Network: network, ContainerID: id}] {
			return false
		}
	}
	return true
}

func uniqueStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
