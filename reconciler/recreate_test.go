package reconciler_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/engine/fake"
	"berth/project"
	"berth/reconciler"
)

const recreated = `
services:
  web: {image: busybox, command: [sleep, inf], environment: {FOO: "%s"}}
`

func recreateProject(t *testing.T, foo string) *types.Project {
	t.Helper()
	return load(t, strings.Replace(recreated, "%s", foo, 1))
}

// only returns the project's one container, failing when there are more.
func only(t *testing.T, eng engine.Engine, p *types.Project) engine.Container {
	t.Helper()
	cs, err := eng.ListContainers(t.Context(), engine.ContainerFilter{Project: p.Name})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.Name
		}
		t.Fatalf("containers %v, want exactly one", names)
	}
	return cs[0]
}

// TestRefusedRecreateKeepsTheOldContainer: when the engine refuses the
// replacement's create, the running container is neither stopped nor
// removed, up fails with the engine's words, and the next good up
// converges.
func TestRefusedRecreateKeepsTheOldContainer(t *testing.T) {
	eng := fake.New("busybox")
	mustUp(t, eng, recreateProject(t, "1"))
	before := only(t, eng, recreateProject(t, "1"))
	eng.ResetCalls()

	eng.FailNext("CreateContainer", errors.New("Minimum memory limit allowed is 6MB"))
	err := up(t, eng, recreateProject(t, "2"), reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "Minimum memory limit allowed is 6MB") {
		t.Fatalf("up with a refused create: %v, want the engine's reason", err)
	}
	if n := eng.Calls("StopContainer") + eng.Calls("RemoveContainer") + eng.Calls("KillContainer"); n != 0 {
		t.Errorf("%d stop/remove/kill calls after a refused create, want 0", n)
	}
	after := only(t, eng, recreateProject(t, "1"))
	if after.ID != before.ID || after.State != engine.StateRunning {
		t.Errorf("after a refused create: %s %s, want %s still running", after.ID, after.State, before.ID)
	}

	mustUp(t, eng, recreateProject(t, "2"))
	got := only(t, eng, recreateProject(t, "2"))
	if got.ID == before.ID || got.Name != "demo-web-1" || got.State != engine.StateRunning {
		t.Errorf("after a good up: %s %q %s, want a new running demo-web-1", got.ID, got.Name, got.State)
	}
}

// TestRecreateCreatesBeforeItStops: the replacement exists before the old
// container is stopped; the old one is gone before the rename.
func TestRecreateCreatesBeforeItStops(t *testing.T) {
	eng := fake.New("busybox")
	mustUp(t, eng, recreateProject(t, "1"))
	old := only(t, eng, recreateProject(t, "1"))
	events, _ := eng.Events(t.Context(), engine.EventFilter{Project: "demo"})
	mustUp(t, eng, recreateProject(t, "2"))
	var order []string
	for len(order) == 0 || order[len(order)-1] != "rename new" {
		e := <-events
		who := map[bool]string{true: "old", false: "new"}[e.ContainerID == old.ID]
		order = append(order, string(e.Action)+" "+who)
	}
	got := strings.Join(order, ",")
	if !strings.HasPrefix(got, "create new,") || !strings.HasSuffix(got, ",destroy old,rename new") {
		t.Errorf("events %s: want the create of the replacement first, the destroy of the old one just before the rename", got)
	}
}

// TestLeftoverReplacementIsRemoved: a recreate interrupted before its rename
// leaves a replacement under a temporary name. The next up finds it by its
// label, removes it, and converges, whether the old container is still
// there or not.
func TestLeftoverReplacementIsRemoved(t *testing.T) {
	for _, oldGone := range []bool{false, true} {
		eng := fake.New("busybox")
		p1 := recreateProject(t, "1")
		mustUp(t, eng, p1)
		old := only(t, eng, p1)
		leftover := leftoverOf(t, eng, old)
		if oldGone {
			if err := eng.RemoveContainer(t.Context(), old.ID, engine.RemoveOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
		}
		plan, err := reconciler.Up(t.Context(), eng, recreateProject(t, "2"), reconciler.UpOptions{}, reconciler.ApplyOptions{}, nil)
		if err != nil {
			t.Fatalf("old gone %v: up: %v", oldGone, err)
		}
		if !strings.Contains(plan.String(), "remove "+leftover+" (left by an interrupted recreate)") {
			t.Errorf("old gone %v: plan does not remove the leftover:\n%s", oldGone, plan)
		}
		got := only(t, eng, p1)
		if got.Name != "demo-web-1" || got.Labels[project.LabelConfigHash] == old.Labels[project.LabelConfigHash] {
			t.Errorf("old gone %v: left %q with the old config", oldGone, got.Name)
		}
	}
}

// leftoverOf makes what an interrupted recreate of c leaves: a container
// under c's temporary name, labelled with the name it was to take.
func leftoverOf(t *testing.T, eng engine.Engine, c engine.Container) string {
	t.Helper()
	ctr, err := eng.InspectContainer(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	spec := engine.ContainerSpec{Name: c.ID[:12] + "_" + c.Name, Image: ctr.Image, Labels: map[string]string{}}
	for k, v := range ctr.Labels {
		spec.Labels[k] = v
	}
	spec.Labels[project.LabelReplaces] = c.Name
	if _, err := eng.CreateContainer(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	return spec.Name
}

// TestStaleTaskIsReplaced: Engine 20.10, after a crash, refuses to start a
// container whose containerd task survived ("task <id>: already exists").
// up replaces that container, says why in the plan, and converges.
func TestStaleTaskIsReplaced(t *testing.T) {
	replacesUnstartable(t, "task 0a1b2c: already exists", "the engine kept a stale task after a crash (task 0a1b2c: already exists)")
}

// TestExhaustedPoolsNameTheFix: a network the engine cannot give an address
// range fails up naming the cause and the fix, before any container.
func TestExhaustedPoolsNameTheFix(t *testing.T) {
	eng := fake.New("busybox")
	eng.FailNext("CreateNetwork", errors.New("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"))
	p := recreateProject(t, "1")
	err := up(t, eng, p, reconciler.UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "docker network prune") || !strings.Contains(err.Error(), "default-address-pools") {
		t.Fatalf("up with exhausted pools: %v, want the cause and the fix", err)
	}
	if n := eng.Calls("CreateContainer"); n != 0 {
		t.Errorf("%d containers created", n)
	}
}

// TestContainerWhoseNetworkIsGoneIsReplaced: a created container whose
// network a racing down removed cannot start ("network <id> not found");
// up replaces it, says why in the plan, and converges.
func TestContainerWhoseNetworkIsGoneIsReplaced(t *testing.T) {
	replacesUnstartable(t, "network ba2fec8b2148 not found", "its network is gone (network ba2fec8b2148 not found)")
}

// TestDownNamesTheFixForActiveEndpoints: a network removal refused for
// active endpoints says how to clear them, also the miscount Engine 20.10
// keeps after a crash, which only its restart clears.
func TestDownNamesTheFixForActiveEndpoints(t *testing.T) {
	eng := fake.New("busybox")
	p := recreateProject(t, "1")
	mustUp(t, eng, p)
	eng.FailNext("RemoveNetwork", errors.New("error while removing network: network demo_default id 0a1b has active endpoints"))
	_, err := reconciler.Down(t.Context(), eng, p, reconciler.DownOptions{}, reconciler.ApplyOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), "docker network inspect") || !strings.Contains(err.Error(), "restarting the engine clears the count") {
		t.Fatalf("down over a network with active endpoints: %v, want the cause and the fix", err)
	}
}

// TestContainerMarkedForRemovalIsReplaced: a container a racing down was
// removing cannot start; up replaces it and converges.
func TestContainerMarkedForRemovalIsReplaced(t *testing.T) {
	replacesUnstartable(t, "container is marked for removal and cannot be started", "a down was removing it (container is marked for removal and cannot be started)")
}

// replacesUnstartable runs up over a stopped demo-web-1 whose next start
// fails with startErr, and checks that up replaces it, gives reason for it
// in the plan, and leaves a new running container.
func replacesUnstartable(t *testing.T, startErr, reason string) {
	t.Helper()
	eng := fake.New("busybox")
	p := recreateProject(t, "1")
	mustUp(t, eng, p)
	old := only(t, eng, p)
	if err := eng.StopContainer(t.Context(), old.ID, nil); err != nil {
		t.Fatal(err)
	}
	eng.FailNextOn("StartContainer", "demo-web-1", errors.New(startErr))
	plan, err := reconciler.Up(t.Context(), eng, p, reconciler.UpOptions{}, reconciler.ApplyOptions{}, nil)
	if err != nil {
		t.Fatalf("up over a container whose start fails with %q: %v", startErr, err)
	}
	if !strings.Contains(plan.String(), "("+reason+")") {
		t.Errorf("plan does not say %q:\n%s", reason, plan)
	}
	if got := only(t, eng, p); got.ID == old.ID || got.State != engine.StateRunning {
		t.Errorf("after up: %s %s, want a new running container", got.ID, got.State)
	}
}
