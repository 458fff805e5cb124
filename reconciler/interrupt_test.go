package reconciler_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/fake"
	"berth/network"
	"berth/project"
	"berth/reconciler"
)

// slowStopEngine holds its first stop until release closes, then answers
// as an HTTP client does: with the context's error when it was cancelled
// meanwhile (the engine carries the stop out all the same).
type slowStopEngine struct {
	*fake.Engine
	sent, release chan struct{}
	once          sync.Once
	mu            sync.Mutex
	abandoned     bool // the stop's caller stopped listening
}

func (s *slowStopEngine) StopContainer(ctx context.Context, id string, grace *time.Duration) error {
	first := false
	s.once.Do(func() { first = true; close(s.sent) })
	if first {
		<-s.release
	}
	err := s.Engine.StopContainer(context.WithoutCancel(ctx), id, grace)
	if ctx.Err() != nil {
		s.mu.Lock()
		s.abandoned = true
		s.mu.Unlock()
		return ctx.Err()
	}
	return err
}

// TestInterruptedDownWaitsForItsStop: a down interrupted while a stop is
// in flight returns only with that stop's answer, and starts nothing new,
// so no call it sent lands behind the next run's observation.
func TestInterruptedDownWaitsForItsStop(t *testing.T) {
	f := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, f, p)
	eng := &slowStopEngine{Engine: f, sent: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := reconciler.Down(ctx, eng, p, reconciler.DownOptions{}, reconciler.ApplyOptions{}, nil)
		done <- err
	}()
	<-eng.sent
	f.ResetCalls()
	cancel()
	close(eng.release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted down: %v", err)
	}
	if eng.abandoned {
		t.Error("the stop in flight was abandoned at the interrupt")
	}
	if calls := f.AllCalls(); calls["StopContainer"] != 1 || calls["RemoveContainer"] != 0 {
		t.Errorf("calls after the interrupt: %v, want only the stop in flight", calls)
	}
	got := states(t, f, p)
	if got["demo-web-1"] != engine.StateExited || got["demo-db-1"] != engine.StateRunning {
		t.Errorf("after the interrupt: %v, want web stopped (its stop was sent) and db running", got)
	}
}

// racingEngine runs race once, at the first stop, as an up started beside
// a down would create containers after the down observed.
type racingEngine struct {
	*fake.Engine
	once sync.Once
	race func()
}

func (r *racingEngine) StopContainer(ctx context.Context, id string, grace *time.Duration) error {
	r.once.Do(r.race)
	return r.Engine.StopContainer(ctx, id, grace)
}

// TestDownTakesContainersCreatedWhileItRuns: a container an up creates
// after down observed is removed too: down racing ups leaves nothing.
func TestDownTakesContainersCreatedWhileItRuns(t *testing.T) {
	f := fake.New("busybox")
	p := load(t, twoServices)
	if err := up(t, f, p, reconciler.UpOptions{Services: []string{"db"}}); err != nil {
		t.Fatal(err)
	}
	eng := &racingEngine{Engine: f, race: func() {
		if err := up(t, f, p, reconciler.UpOptions{Services: []string{"web"}, NoDeps: true}); err != nil {
			t.Errorf("the racing up: %v", err)
		}
	}}
	if _, err := reconciler.Down(t.Context(), eng, p, reconciler.DownOptions{}, reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatalf("down: %v", err)
	}
	if got := states(t, f, p); len(got) != 0 {
		t.Errorf("containers after down: %v", got)
	}
	if nets, _ := f.ListNetworks(t.Context(), p.Name); len(nets) != 0 {
		t.Errorf("networks after down: %v", nets)
	}
}

// netRacingEngine creates the network again right after down removed it,
// as an up started beside the down would.
type netRacingEngine struct {
	*fake.Engine
	once sync.Once
}

func (r *netRacingEngine) RemoveNetwork(ctx context.Context, name string) error {
	err := r.Engine.RemoveNetwork(ctx, name)
	r.once.Do(func() {
		_, _ = r.Engine.CreateNetwork(ctx, network.Spec{Name: name, Labels: map[string]string{project.LabelProject: "demo", project.LabelNetwork: "default"}})
	})
	return err
}

// TestDownTakesANetworkCreatedAgain: a network a racing up creates again
// after down removed it goes too.
func TestDownTakesANetworkCreatedAgain(t *testing.T) {
	f := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, f, p)
	if _, err := reconciler.Down(t.Context(), &netRacingEngine{Engine: f}, p, reconciler.DownOptions{}, reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatalf("down: %v", err)
	}
	if nets, _ := f.ListNetworks(t.Context(), p.Name); len(nets) != 0 {
		t.Errorf("networks after down: %v", nets)
	}
}
