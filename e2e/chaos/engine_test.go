package chaos

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// thirty is a project of 30 services; s0 keeps its data in a named volume.
func thirty() (string, map[string]int) {
	var b strings.Builder
	b.WriteString("services:\n")
	replicas := map[string]int{}
	for i := range 30 {
		fmt.Fprintf(&b, "  s%d: {image: berth-test/busybox:latest, command: [sleep, \"3600\"], stop_signal: SIGKILL", i)
		if i == 0 {
			b.WriteString(", volumes: [data:/data]")
		}
		b.WriteString("}\n")
		replicas[fmt.Sprintf("s%d", i)] = 1
	}
	b.WriteString("volumes:\n  data: {}\n")
	return b.String(), replicas
}

// TestEngineKilledDuringUp: kill -9 of the engine while up -d creates 30
// services. berth exits non-zero within 10 s saying the engine went away;
// after the engine restarts, the next up -d converges: one container per
// replica, one network, the named volume's data intact.
func TestEngineKilledDuringUp(t *testing.T) {
	n := runs(t, 1, 10)
	t.Parallel()
	e := privateEngine(t, nil)
	yaml, replicas := thirty()
	for i := range n {
		s := newStack(t, yaml, e.Environ(nil))
		s.mustBerth("up", "-d", "s0")
		s.writeMarker("data", "kept")
		r := s.start("up", "-d")
		// Kill at a different point each run: after the k-th container is created.
		k := 1 + i*7%25
		for range k {
			if !r.await(" Created") {
				break
			}
		}
		if err := e.Crash(); err != nil {
			t.Fatal(err)
		}
		err, hung := r.wait(10 * time.Second)
		if err == nil || hung || !strings.Contains(r.out.String(), "went away") {
			t.Errorf("run %d: berth after the engine died: %v (hung %v), want a non-zero exit saying the engine went away:\n%s", i, err, hung, r.out)
		}
		if err := e.Restart(t.Context()); err != nil {
			t.Fatal(err)
		}
		out, uerr, uhung := s.berth("up", "-d")
		conv := uerr == nil && s.converged(replicas, 1) == nil
		if !conv {
			t.Errorf("run %d: up after the restart: %v\n%s\nstate: %v", i, uerr, out, s.converged(replicas, 1))
		}
		if strings.Contains(out, "already exists") {
			t.Logf("run %d: the engine kept a stale task:\n%s", i, out)
		}
		lost := !s.hasMarker("data", "kept")
		record("engine killed during up -d (30 services)", conv, lost, hung || uhung)
		// Engine 20.10, killed, can keep counting an endpoint no container
		// holds (about one run in five): the network cannot be removed
		// through its API until the engine restarts and recounts. down
		// then names that cause and fix, and after the restart it leaves
		// nothing.
		dout, derr, dhung := s.berth("down", "-v")
		empty := derr == nil && s.empty() == nil
		record("down after an engine crash leaves nothing", empty, false, dhung)
		if !empty {
			t.Logf("run %d: down after the crash: %v %v\n%s", i, derr, s.empty(), tail(dout, 600))
			if !strings.Contains(dout, "the engine miscounts its endpoints") {
				t.Errorf("run %d: down after the crash fails without naming the cause", i)
			}
			if err := e.StopDaemon(60 * time.Second); err != nil {
				t.Fatal(err)
			}
			if err := e.Restart(t.Context()); err != nil {
				t.Fatal(err)
			}
			dout, derr, dhung = s.berth("down", "-v")
			empty = derr == nil && s.empty() == nil
			if !empty {
				t.Errorf("run %d: down after the crash and a restart of the engine: %v %v\n%s", i, derr, s.empty(), tail(dout, 600))
			}
		}
		record("down after an engine crash (restarted when it miscounts) leaves nothing", empty, false, dhung)
	}
}

const policies = `
services:
  always: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, restart: always}
  unless: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, restart: unless-stopped}
  stopped: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, restart: unless-stopped}
  never: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, restart: "no"}
`

// TestRestartPoliciesAcrossEngineRestart: after the engine restarts (a
// clean stop, or kill -9), always and unless-stopped containers come back;
// an unless-stopped one stopped by hand and a "no" one stay down. Then up
// -d converges.
func TestRestartPoliciesAcrossEngineRestart(t *testing.T) {
	n := runs(t, 1, 5)
	t.Parallel()
	e := privateEngine(t, nil)
	for i := range n {
		for _, crash := range []bool{false, true} {
			s := newStack(t, policies, e.Environ(nil))
			s.mustBerth("up", "-d")
			s.mustBerth("stop", "stopped")
			if crash {
				if err := e.Crash(); err != nil {
					t.Fatal(err)
				}
			} else if err := e.StopDaemon(60 * time.Second); err != nil {
				t.Fatal(err)
			}
			if err := e.Restart(t.Context()); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"always": "running", "unless": "running", "stopped": "exited", "never": "exited"}
			if crash {
				// Engine 20.10 brings an unless-stopped container back
				// after a clean stop but not after kill -9; that is the
				// engine's decision, and up -d below starts it.
				delete(want, "unless")
			}
			got := s.awaitStates(want, 60*time.Second)
			ok := fmt.Sprint(got) == fmt.Sprint(prefixed(s, want))
			if !ok {
				t.Errorf("run %d crash %v: after the engine restart: %v, want %v", i, crash, got, prefixed(s, want))
			}
			out, err, hung := s.berth("up", "-d")
			conv := err == nil && s.converged(map[string]int{"always": 1, "unless": 1, "stopped": 1, "never": 1}, 1) == nil
			if !conv {
				t.Errorf("run %d crash %v: up after the restart: %v\n%s", i, crash, err, out)
			}
			name := "engine restart: restart policies (clean stop)"
			if crash {
				name = "engine restart: restart policies (kill -9)"
			}
			record(name, ok && conv, false, hung)
			s.mustBerth("down", "-v")
		}
	}
}

func prefixed(s *stack, states map[string]string) map[string]string {
	out := map[string]string{}
	for svc, st := range states {
		out[s.name+"-"+svc+"-1"] = st
	}
	return out
}

// awaitStates waits until the containers of the services want names are
// in those states, or within passes; it returns their last states.
func (s *stack) awaitStates(want map[string]string, within time.Duration) map[string]string {
	deadline := time.Now().Add(within)
	for {
		all, _ := s.containers()
		got := map[string]string{}
		for name := range prefixed(s, want) {
			got[name] = all[name]
		}
		if fmt.Sprint(got) == fmt.Sprint(prefixed(s, want)) || time.Now().After(deadline) {
			return got
		}
		// The engine restarts policy containers on its own schedule after
		// it answers; there is no event to await across its restart.
		time.Sleep(200 * time.Millisecond)
	}
}

const ticker = `
services:
  tick: {image: berth-test/busybox:latest, command: [sh, -c, "while true; do echo tick; sleep 0.2; done"], stop_signal: SIGKILL, restart: always}
`

// TestAttachedUpAcrossEngineRestart: attached up does not outlive its
// engine. Killed (-9), the engine cuts the event stream and berth exits
// non-zero saying it went away; stopped cleanly, it stops the containers
// first and berth reports their exits and ends. It never hangs, and up -d
// after the engine is back converges (docs/architecture.md).
func TestAttachedUpAcrossEngineRestart(t *testing.T) {
	n := runs(t, 1, 5)
	t.Parallel()
	e := privateEngine(t, nil)
	for i := range n {
		for _, crash := range []bool{false, true} {
			s := newStack(t, ticker, e.Environ(nil))
			r := s.start("up")
			if !r.await("| tick") {
				t.Fatalf("attached up shows no output:\n%s", r.out)
			}
			var err error
			if crash {
				err = e.Crash()
			} else {
				err = e.StopDaemon(60 * time.Second)
			}
			if err != nil {
				t.Fatal(err)
			}
			err, hung := r.wait(20 * time.Second)
			out := r.out.String()
			clear := crash && err != nil && strings.Contains(out, "went away") || !crash && strings.Contains(out, "exited with code")
			if hung || !clear {
				t.Errorf("run %d crash %v: attached up with the engine gone: %v (hung %v):\n%s", i, crash, err, hung, tail(out, 1500))
			}
			if err := e.Restart(t.Context()); err != nil {
				t.Fatal(err)
			}
			uout, uerr, uhung := s.berth("up", "-d")
			conv := uerr == nil && s.converged(map[string]int{"tick": 1}, 1) == nil
			if !conv {
				t.Errorf("run %d crash %v: up -d after the restart: %v\n%s", i, crash, uerr, uout)
			}
			name := "engine restart under attached up (clean stop)"
			if crash {
				name = "engine restart under attached up (kill -9)"
			}
			record(name, conv && clear, false, hung || uhung)
			s.mustBerth("down", "-v")
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
