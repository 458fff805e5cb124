package main

import (
	"context"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/engine/fake"
	"berth/project"
)

// TestFindReplicaChoice: exec and its kin pick the lowest numbered running
// replica, fall back to a running one-off, and never take a one-off for an
// --index.
func TestFindReplicaChoice(t *testing.T) {
	ctx := context.Background()
	eng := fake.New("busybox")
	p := &types.Project{Name: "demo"}
	add := func(name, number string, oneOff, start bool) {
		t.Helper()
		l := map[string]string{project.LabelProject: "demo", project.LabelService: "web", project.LabelOneOff: "False"}
		if oneOff {
			l[project.LabelOneOff] = "True"
		}
		if number != "" {
			l[project.LabelNumber] = number
		}
		id, err := eng.CreateContainer(ctx, engine.ContainerSpec{Name: name, Image: "busybox", Labels: l})
		if err != nil {
			t.Fatal(err)
		}
		if start {
			if err := eng.StartContainer(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	pick := func(index int, oneOffs bool) string {
		t.Helper()
		c, err := findReplica(ctx, eng, p, "web", index, oneOffs)
		if err != nil {
			return err.Error()
		}
		return c.Name
	}
	// A one-off labelled with number 1, as older berth versions made them.
	add("demo-web-run-old", "1", true, true)
	add("demo-web-run-new", "", true, false)
	if got := pick(0, true); got != "demo-web-run-old" {
		t.Errorf("only one-offs: got %s", got)
	}
	if got := pick(1, true); !strings.Contains(got, `service "web" is not running container #1`) {
		t.Errorf("--index 1 took a one-off: %s", got)
	}
	if got := pick(0, false); !strings.Contains(got, `service "web" is not running`) {
		t.Errorf("one-offs excluded: got %s", got)
	}
	add("demo-web-2", "2", false, false)
	if got := pick(0, true); got != "demo-web-run-old" {
		t.Errorf("a running one-off before a stopped replica: got %s", got)
	}
	if got := pick(0, false); got != "demo-web-2" {
		t.Errorf("one-offs excluded, the stopped replica: got %s", got)
	}
	add("demo-web-3", "3", false, true)
	if got := pick(0, true); got != "demo-web-3" {
		t.Errorf("a running replica before a one-off: got %s", got)
	}
	add("demo-web-1", "1", false, true)
	for index, want := range map[int]string{0: "demo-web-1", 1: "demo-web-1", 2: "demo-web-2", 3: "demo-web-3"} {
		if got := pick(index, true); got != want {
			t.Errorf("--index %d: got %s, want %s", index, got, want)
		}
	}
}
