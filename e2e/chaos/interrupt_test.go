package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"
)

// threeServices is a small project with a named volume; %d is an
// environment value that changes the web service's config.
const threeServices = `
services:
  db: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, volumes: [data:/data]}
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, environment: {V: "%d"}, depends_on: [db]}
  cache: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, environment: {V: "%d"}}
volumes:
  data: {}
`

var threeReplicas = map[string]int{"db": 1, "web": 1, "cache": 1}

func threeYAML(v int) string { return fmt.Sprintf(threeServices, v, v) }

// awaitLines waits for k lines of output (fewer when the run ends first).
func (r *running) awaitLines(k int) {
	for range k {
		if _, ok := <-r.lines; !ok {
			return
		}
	}
}

// interrupt sends SIGINT after the k-th output line and waits for the end.
func (r *running) interrupt(k int) (hung bool) {
	r.awaitLines(k)
	_ = r.cmd.Process.Signal(syscall.SIGINT)
	_, hung = r.wait(30 * time.Second)
	return hung
}

// TestInterrupts: SIGINT at a random moment of up -d (cold, and with a
// recreate in flight) and of down. Each time the next up -d converges,
// the named volume keeps its data, and the next down leaves nothing.
func TestInterrupts(t *testing.T) {
	n := runs(t, 1, 20)
	t.Parallel()
	for i := range n {
		s := newStack(t, threeYAML(0), nil)
		// Cold up, interrupted.
		hung := s.start("up", "-d").interrupt(rand.IntN(8))
		s.convergeAfter(t, "SIGINT during up -d (cold)", hung, "", i)
		s.writeMarker("data", "kept")
		// A recreate in flight, interrupted.
		s.write(threeYAML(i + 1))
		hung = s.start("up", "-d").interrupt(rand.IntN(6))
		s.convergeAfter(t, "SIGINT during up -d (recreate)", hung, "kept", i)
		// down, interrupted; then up -d converges and down leaves nothing.
		hung = s.start("down").interrupt(rand.IntN(6))
		s.convergeAfter(t, "SIGINT during down", hung, "kept", i)
		s.mustBerth("down")
		if err := s.empty(); err != nil {
			t.Errorf("run %d: down after the interrupts: %v", i, err)
		}
	}
}

// convergeAfter runs up -d and records whether it converged and whether
// the marker (when given) survived.
func (s *stack) convergeAfter(t *testing.T, fault string, hung bool, marker string, run int) {
	t.Helper()
	out, err, uhung := s.berth("up", "-d")
	state := s.converged(threeReplicas, 1)
	conv := err == nil && state == nil
	if !conv {
		// Also after an interrupted down: the stops it sent are answered
		// before it exits (reconciler's landsAnyway), so none lands behind
		// the next up's observation.
		t.Errorf("run %d, %s: the next up -d: %v, %v\n%s", run, fault, err, state, out)
	}
	lost := marker != "" && !s.hasMarker("data", marker)
	if lost {
		t.Errorf("run %d, %s: the volume lost its data", run, fault)
	}
	if hung {
		t.Errorf("run %d, %s: berth did not end within 30 s of SIGINT", run, fault)
	}
	record(fault, conv, lost, hung || uhung)
}

// TestRacesOnOneProject: three up -d and one down started together on one
// project end with the whole project or nothing of it, never a mix; the
// next up -d converges.
func TestRacesOnOneProject(t *testing.T) {
	n := runs(t, 1, 20)
	t.Parallel()
	s := newStack(t, threeYAML(0), nil)
	for i := range n {
		rs := []*running{s.start("up", "-d"), s.start("up", "-d"), s.start("up", "-d"), s.start("down")}
		hung := false
		for _, r := range rs {
			_, h := r.wait(berthDeadline)
			hung = hung || h
		}
		whole, none := s.converged(threeReplicas, 1), s.empty()
		ok := whole == nil || none == nil
		if !ok {
			// berth's runs on one project take turns (the project lock in
			// cmd/berth/projectlock.go): each acts on what it observed.
			t.Errorf("run %d: after three up -d and a down: neither whole (%v) nor empty (%v)", i, whole, none)
		}
		out, err, uhung := s.berth("up", "-d")
		conv := err == nil && s.converged(threeReplicas, 1) == nil
		if !conv {
			t.Errorf("run %d: up -d after the race: %v %v\n%s", i, err, s.converged(threeReplicas, 1), out)
		}
		record("three up -d and a down at once", ok && conv, false, hung || uhung)
		s.mustBerth("down")
	}
}

// TestTwoProjectsAtOnce: two projects brought up and down at the same time
// never touch each other's objects.
func TestTwoProjectsAtOnce(t *testing.T) {
	n := runs(t, 1, 10)
	t.Parallel()
	for i := range n {
		a, b := newStack(t, threeYAML(0), nil), newStack(t, threeYAML(0), nil)
		ra, rb := a.start("up", "-d"), b.start("up", "-d")
		_, ha := ra.wait(berthDeadline)
		_, hb := rb.wait(berthDeadline)
		before, _ := b.docker("ps", "-aq", "--no-trunc", "--filter", b.label())
		// a goes down and b is brought up again, at once.
		ra, rb = a.start("down", "-v"), b.start("up", "-d")
		_, ha2 := ra.wait(berthDeadline)
		_, hb2 := rb.wait(berthDeadline)
		after, _ := b.docker("ps", "-aq", "--no-trunc", "--filter", b.label())
		okA, okB := a.empty(), b.converged(threeReplicas, 1)
		same := strings.Join(before, ",") == strings.Join(after, ",")
		if okA != nil || okB != nil || !same {
			t.Errorf("run %d: a after down: %v; b: %v, containers kept: %v", i, okA, okB, same)
		}
		record("two projects at once", okA == nil && okB == nil && same, false, ha || hb || ha2 || hb2)
		b.mustBerth("down", "-v")
	}
}

// TestVolumeDataSurvivesCycles: a named volume's data survives cycles of
// up -d with changing config (recreates), down (with --remove-orphans
// every other time, an orphan service coming and going) and up -d, and
// goes only with down -v.
func TestVolumeDataSurvivesCycles(t *testing.T) {
	n := runs(t, 2, 100)
	t.Parallel()
	s := newStack(t, threeYAML(0), nil)
	s.mustBerth("up", "-d")
	s.writeMarker("data", "kept")
	lostAt := -1
	for i := range n {
		yaml := threeYAML(i + 1)
		if i%2 == 0 { // an extra service, which the next cycle orphans
			yaml += "  extra: {image: berth-test/busybox:latest, command: [sleep, \"3600\"], stop_signal: SIGKILL}\n"
			yaml = strings.Replace(yaml, "volumes:\n  data: {}\n", "", 1) + "volumes:\n  data: {}\n"
		}
		s.write(yaml)
		_, err1, h1 := s.berth("up", "-d")
		down := []string{"down"}
		if i%2 == 1 {
			down = append(down, "--remove-orphans")
		}
		_, err2, h2 := s.berth(down...)
		out, err3, h3 := s.berth("up", "-d")
		want := map[string]int{"db": 1, "web": 1, "cache": 1}
		if i%2 == 0 {
			want["extra"] = 1
		}
		conv := err1 == nil && err2 == nil && err3 == nil && s.converged(want, 1) == nil
		if !conv {
			t.Errorf("cycle %d: %v %v %v %v\n%s", i, err1, err2, err3, s.converged(want, 1), out)
		}
		lost := !s.hasMarker("data", "kept")
		if lost && lostAt < 0 {
			lostAt = i
			t.Errorf("cycle %d: the volume lost its data", i)
		}
		record("volume data over up/recreate/down cycles", conv, lost, h1 || h2 || h3)
	}
	s.mustBerth("down", "--remove-orphans")
	if !s.hasMarker("data", "kept") {
		t.Error("down --remove-orphans lost the volume's data")
	}
	s.mustBerth("down", "-v")
	if vols, _ := s.docker("volume", "ls", "-q", "--filter", s.label()); len(vols) != 0 {
		t.Errorf("volumes after down -v: %v", vols)
	}
}

// TestExhaustedAddressPools: on an engine whose default-address-pools are
// used up (its one /24 holds its own bridge), up fails naming the cause
// and the fix, and creates nothing.
func TestExhaustedAddressPools(t *testing.T) {
	runs(t, 1, 1)
	t.Parallel()
	e := privateEngine(t, map[string]any{"default-address-pools": []map[string]any{{"base": "10.213.7.0/24", "size": 24}}})
	s := newStack(t, "services: {web: {image: berth-test/busybox:latest, command: [sleep, \"3600\"]}}\n", e.Environ(nil))
	out, err, hung := s.berth("up", "-d")
	named := err != nil && strings.Contains(out, "address pools are used up") && strings.Contains(out, "default-address-pools")
	if !named {
		t.Errorf("up with the pools used up: %v\n%s\nwant a failure naming the cause and the fix", err, out)
	}
	vols, _ := s.docker("volume", "ls", "-q", "--filter", s.label())
	nothing := s.empty() == nil && len(vols) == 0
	if !nothing {
		t.Errorf("up created something: %v, volumes %v", s.empty(), vols)
	}
	record("address pools exhausted", named && nothing, false, hung)
}
