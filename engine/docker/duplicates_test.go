package docker

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"berth/internal/testimages"
	"berth/project"
)

// TestRemoveNetworkTakesDuplicates: two networks of one name (Engine 20.10
// accepts two racing creates) are both removed by a removal by name.
func TestRemoveNetworkTakesDuplicates(t *testing.T) {
	testimages.NeedEngine(t)
	e, err := New(t.Context(), os.Environ())
	if err != nil {
		t.Skip(err)
	}
	defer e.Close()
	name := "berth-test-dup-" + t.Name()[len(t.Name())-10:]
	labels := map[string]string{project.LabelProject: "berth-test-dup"}
	ids := twoNetworksNamed(t, e, name, labels)
	if err := e.RemoveNetwork(t.Context(), name); err != nil {
		t.Fatalf("remove two networks named %s: %v", name, err)
	}
	for _, id := range ids {
		if _, err := e.cli.NetworkInspect(t.Context(), id, client.NetworkInspectOptions{}); err == nil {
			t.Errorf("network %s is still there", id)
		}
	}
}

// TestListNetworksFoldsDuplicates: two networks of one name are listed
// once, as the oldest, with the younger one's ID as its duplicate.
func TestListNetworksFoldsDuplicates(t *testing.T) {
	testimages.NeedEngine(t)
	e, err := New(t.Context(), os.Environ())
	if err != nil {
		t.Skip(err)
	}
	defer e.Close()
	proj := fmt.Sprintf("berth-test-duplist-%d", time.Now().UnixNano())
	name := proj + "_default"
	labels := map[string]string{project.LabelProject: proj}
	ids := twoNetworksNamed(t, e, name, labels)
	got, err := e.ListNetworks(t.Context(), proj)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids[0] || len(got[0].Duplicates) != 1 || got[0].Duplicates[0] != ids[1] {
		t.Errorf("networks of %s: %+v, want %s with duplicate %s", proj, got, ids[0], ids[1])
	}
}

// twoNetworksNamed creates two networks called name, oldest first, and
// removes them by ID when t ends; it skips t on an engine that refuses the
// second.
func twoNetworksNamed(t *testing.T, e *Engine, name string, labels map[string]string) []string {
	t.Helper()
	var ids []string
	t.Cleanup(func() { // t.Context() is over by now
		for _, id := range ids {
			_, _ = e.cli.NetworkRemove(context.Background(), id, client.NetworkRemoveOptions{})
		}
	})
	for range 2 {
		res, err := e.cli.NetworkCreate(t.Context(), name, client.NetworkCreateOptions{Labels: labels})
		if err != nil {
			t.Skipf("this engine refuses a duplicate name: %v", err)
		}
		ids = append(ids, res.ID)
	}
	return ids
}
