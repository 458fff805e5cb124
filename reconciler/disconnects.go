package reconciler

import (
	"context"
	"sync"
	"time"

	"berth/engine"
)

// disconnectWait bounds the wait for disconnects: past it the removal is
// tried anyway and reports the engine's own error, if any.
const disconnectWait = 20 * time.Second

// disconnects records the disconnects seen since Apply began.
type disconnects struct {
	mu     sync.Mutex
	seen   map[engine.NetworkDisconnect]bool
	closed bool          // the stream ended: waiting is pointless
	change chan struct{} // closed and replaced on every change
}

// watchDisconnects subscribes, before any action runs, to the disconnects
// of the networks the plan removes after waiting; nil when there are none.
func watchDisconnects(ctx context.Context, eng engine.Engine, plan Plan) *disconnects {
	var nets []string
	for _, act := range plan.Actions {
		if act.Op == OpRemoveNetwork && len(act.Disconnects) > 0 {
			nets = append(nets, act.Target)
		}
	}
	if len(nets) == 0 {
		return nil
	}
	d := &disconnects{seen: map[engine.NetworkDisconnect]bool{}, change: make(chan struct{})}
	events, errs := eng.NetworkDisconnects(ctx, uniqueStrings(nets))
	go d.record(events, errs)
	return d
}

func (d *disconnects) record(events <-chan engine.NetworkDisconnect, errs <-chan error) {
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
		if !d.seen[engine.NetworkDisconnect{Network: network, ContainerID: id}] {
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
