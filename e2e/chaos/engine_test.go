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
		s.mustBerth("down", "-v")
		if err := s.empty(); err != nil {
			t.Errorf("run %d: down: %v", i, err)
		}
	}
}
