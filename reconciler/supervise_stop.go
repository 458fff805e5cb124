package reconciler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// projectStop ends an attached project (Ctrl-C, --abort-on-container-exit)
// through the plans `stop` and `kill` make, applied like theirs: it stops
// once, dependents first, and kills what still runs when asked again. As
// in Docker Compose, it ends the services named on the command line (all
// when none is): their dependencies keep running, as `up -d` left them.
type projectStop struct {
	ctx      context.Context // the attached run's: outlives the first Ctrl-C
	eng      engine.Engine
	p        *types.Project
	services []string       // named on the command line; nil: all
	grace    *time.Duration // -t; nil: each container's own stop timeout
	progress Progress

	mu      sync.Mutex
	ap      ApplyOptions
	begun   bool
	killing bool
	giveUp  context.CancelFunc // ends the wait for the graceful stop
	pending sync.WaitGroup     // the stop, and the kill once asked for
}

func newProjectStop(ctx context.Context, eng engine.Engine, p *types.Project, services []string, grace *time.Duration, progress Progress) *projectStop {
	return &projectStop{ctx: ctx, eng: eng, p: p, services: services, grace: grace, progress: progress}
}

// applyWith sets the options the stop and the kill are applied with: up's.
func (s *projectStop) applyWith(ap ApplyOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ap = ap
}

// begin starts the graceful stop and reports whether this call began it.
func (s *projectStop) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.begun {
		return false
	}
	s.begun = true
	stopCtx, giveUp := context.WithCancel(s.ctx)
	s.giveUp = giveUp
	s.pending.Go(func() { _ = s.apply(stopCtx, "stop") }) // failures show as progress
	return true
}

// kill gives up the graceful stop and kills what still runs. The kill goes
// out at once, beside the stops already sent: those wait for their answers
// (landsAnyway), which come when the containers die, so the kill must not
// wait for them.
func (s *projectStop) kill() {
	s.begin()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.giveUp()
	if s.killing || s.ctx.Err() != nil {
		return
	}
	s.killing = true
	s.pending.Go(func() { _ = s.apply(s.ctx, "kill") })
}

// wait returns once a stop that has begun, and its kill, are over.
func (s *projectStop) wait() {
	s.pending.Wait()
}

// apply plans the command ("stop" or "kill") against the containers as they
// are now, and applies it.
func (s *projectStop) apply(ctx context.Context, command string) error {
	cs, err := s.eng.ListContainers(ctx, engine.ContainerFilter{Project: s.p.Name})
	if err != nil {
		return fmt.Errorf("list containers of project %q: %w", s.p.Name, err)
	}
	st := Observed{Containers: cs}
	plan := NewStopPlan(s.p, st, LifecycleOptions{Services: s.services, Timeout: s.grace})
	if command == "kill" {
		plan = NewKillPlan(s.p, st, LifecycleOptions{Services: s.services, Signal: "SIGKILL"})
	}
	s.mu.Lock()
	ap := s.ap
	s.mu.Unlock()
	return Apply(ctx, s.eng, plan, s.progress, ap)
}
