package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEventsSinceUntil: events --since a time before an up replays the
// up's events, and --until makes it exit by itself.
func TestEventsSinceUntil(t *testing.T) {
	p := newProject(t, twoServices)
	since := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
	p.mustBerth("up", "-d")
	until := time.Now().Add(2 * time.Second)
	cmd := p.command("events", "--json", "--since", since, "--until", fmt.Sprint(until.Unix()+1), "db")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("events --since --until: %v\nstderr:\n%s", err, e.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("events --until %d still running after 30s; stdout:\n%s", until.Unix()+1, o.String())
	}
	var actions []string
	dec := json.NewDecoder(&o)
	for {
		var ev struct{ Action, Service string }
		if dec.Decode(&ev) != nil {
			break
		}
		if ev.Service != "db" {
			t.Errorf("event of service %q, want only db", ev.Service)
		}
		actions = append(actions, ev.Action)
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "create") || !strings.Contains(got, "start") {
		t.Errorf("events since before up: %q, want db's create and start", got)
	}
	// A bad time is refused before anything is asked of the engine.
	_, stderr, err := p.berth("events", "--since", "yesterday")
	if exitCode(t, err) == 0 || !strings.Contains(stderr, `--since "yesterday"`) {
		t.Errorf("events --since yesterday: %v %q", err, stderr)
	}
}
