package reconciler_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// gatedEngine holds the engine's disconnects back until both containers are
// removed, as a 20.10 engine may report them after the removals, and notes
// how many had arrived when the network was removed.
type gatedEngine struct {
	*fake.Engine
	mu        sync.Mutex
	removed   int
	gate      chan struct{}
	delivered int
	atRemove  int
}

func (g *gatedEngine) RemoveContainer(ctx context.Context, id string, o engine.RemoveOptions) error {
	err := g.Engine.RemoveContainer(ctx, id, o)
	g.mu.Lock()
	if g.removed++; g.removed == 2 {
		close(g.gate)
	}
	g.mu.Unlock()
	return err
}

func (g *gatedEngine) NetworkDisconnects(ctx context.Context, nets []string) (<-chan engine.NetworkDisconnect, <-chan error) {
	in, errs := g.Engine.NetworkDisconnects(ctx, nets)
	out := make(chan engine.NetworkDisconnect)
	go func() {
		defer close(out)
		var held []engine.NetworkDisconnect
		for ev := range in {
			held = append(held, ev)
			if len(held) == 2 {
				break
			}
		}
		<-g.gate
		for _, ev := range held {
			g.mu.Lock()
			g.delivered++
			g.mu.Unlock()
			out <- ev
		}
		for ev := range in {
			out <- ev
		}
	}()
	return out, errs
}

func (g *gatedEngine) RemoveNetwork(ctx context.Context, name string) error {
	g.mu.Lock()
	g.atRemove = g.delivered
	g.mu.Unlock()
	return g.Engine.RemoveNetwork(ctx, name)
}

func TestDownAwaitsDisconnectsBeforeRemovingTheNetwork(t *testing.T) {
	base := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, base, p)
	eng := &gatedEngine{Engine: base, gate: make(chan struct{})}
	st, err := reconciler.Observe(t.Context(), eng, p)
	if err != nil {
		t.Fatal(err)
	}
	plan := reconciler.NewDownPlan(p, st, reconciler.DownOptions{})
	var ids []string
	for _, c := range st.Containers {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	found := false
	for _, act := range plan.Actions {
		if act.Op == reconciler.OpRemoveNetwork {
			found = true
			if !slices.Equal(act.Disconnects, ids) {
				t.Errorf("network removal awaits %v, want %v", act.Disconnects, ids)
			}
		}
	}
	if !found {
		t.Fatalf("no network removal in:\n%s", plan)
	}
	if err := reconciler.Apply(t.Context(), eng, plan, nil, reconciler.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if eng.atRemove != 2 {
		t.Errorf("network removed after %d of 2 disconnects", eng.atRemove)
	}
	if n := base.Calls("NetworkDisconnects"); n != 1 {
		t.Errorf("%d subscriptions to disconnects, want 1", n)
	}
}

func TestDownOfStoppedContainersAwaitsNothing(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, eng, p)
	grace := reconciler.DownOptions{}
	st, _ := reconciler.Observe(t.Context(), eng, p)
	for _, c := range st.Containers {
		if err := eng.StopContainer(t.Context(), c.ID, grace.Timeout); err != nil {
			t.Fatal(err)
		}
	}
	st, _ = reconciler.Observe(t.Context(), eng, p)
	plan := reconciler.NewDownPlan(p, st, reconciler.DownOptions{})
	if err := reconciler.Apply(t.Context(), eng, plan, nil, reconciler.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := eng.Calls("NetworkDisconnects"); n != 0 {
		t.Errorf("%d subscriptions to disconnects for stopped containers, want 0", n)
	}
}

// From API 1.42 a stop returns once the endpoints are released
// (engine.StopReleasesEndpoints): down removes the network without waiting.
func TestDownOnNewerEngineAwaitsNoDisconnects(t *testing.T) {
	eng := fake.New("busybox")
	eng.SetAPIVersion("1.56")
	p := load(t, twoServices)
	mustUp(t, eng, p)
	st, err := reconciler.Observe(t.Context(), eng, p)
	if err != nil {
		t.Fatal(err)
	}
	plan := reconciler.NewDownPlan(p, st, reconciler.DownOptions{})
	for _, act := range plan.Actions {
		if act.Op == reconciler.OpRemoveNetwork && len(act.Disconnects) > 0 {
			t.Errorf("network removal awaits %v on API 1.56", act.Disconnects)
		}
	}
	if err := reconciler.Apply(t.Context(), eng, plan, nil, reconciler.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := eng.Calls("NetworkDisconnects"); n != 0 {
		t.Errorf("%d subscriptions to disconnects, want 0", n)
	}
}
