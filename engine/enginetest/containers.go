package enginetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"berth/engine"
	"berth/project"
)

func containerCases() []testCase {
	return []testCase{
		{"ListFindsByProjectLabel", testListByProject},
		{"ListFiltersServicesAndOneOff", testListFilters},
		{"NamesAreUnique", testNamesUnique},
		{"RacingCreatesOfOneName", testRacingCreates},
		{"LabelsRoundTrip", testLabelsRoundTrip},
		{"InspectMissingIsNotFound", testInspectMissing},
		{"RemoveMissingIsNotFound", testRemoveMissing},
		{"StartStopMissingIsNotFound", testStartStopMissing},
		{"CreateWithMissingImageIsNotFound", testMissingImage},
		{"InspectByName", testInspectByName},
		{"Rename", testRename},
	}
}

func testListByProject(t *testing.T, c *env) {
	other := newCase(t, c.cfg, c.eng)
	id := c.create(t, c.spec("web", "sleep", "3600"))
	otherID := other.create(t, other.spec("web", "sleep", "3600"))
	got, err := c.eng.ListContainers(c.ctx(t), engine.ContainerFilter{Project: c.project})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("list %q: got %v, want only %s (not %s of %q)", c.project, ids(got), id, otherID, other.project)
	}
	ctr := got[0]
	if ctr.Name != c.project+"-web-1" || ctr.State != engine.StateCreated || ctr.Image != c.cfg.Image {
		t.Errorf("listed container: name %q state %q image %q", ctr.Name, ctr.State, ctr.Image)
	}
	if !strings.HasPrefix(ctr.Status, "Created") {
		t.Errorf("listed status %q, want Created", ctr.Status)
	}
	if len(ctr.ID) != 64 || ctr.ImageID == "" {
		t.Errorf("listed IDs: container %q image %q", ctr.ID, ctr.ImageID)
	}
}

func testListFilters(t *testing.T, c *env) {
	web := c.create(t, c.spec("web", "sleep", "3600"))
	dbSpec := c.spec("db", "sleep", "3600")
	db := c.create(t, dbSpec)
	runSpec := c.spec("web", "sleep", "3600")
	runSpec.Name = c.project + "-web-run-1"
	runSpec.Labels[project.LabelOneOff] = "True"
	run := c.create(t, runSpec)

	no, yes := false, true
	for _, tc := range []struct {
		filter engine.ContainerFilter
		want   []string
	}{
		{engine.ContainerFilter{}, []string{db, web, run}}, // sorted by name
		{engine.ContainerFilter{Services: []string{"web"}}, []string{web, run}},
		{engine.ContainerFilter{Services: []string{"db", "web"}, OneOff: &no}, []string{db, web}},
		{engine.ContainerFilter{OneOff: &yes}, []string{run}},
	} {
		tc.filter.Project = c.project
		got, err := c.eng.ListContainers(c.ctx(t), tc.filter)
		if err != nil {
			t.Fatalf("list %+v: %v", tc.filter, err)
		}
		if g := ids(got); !equal(g, tc.want) {
			t.Errorf("list services %v oneoff %v: got %v, want %v", tc.filter.Services, tc.filter.OneOff, g, tc.want)
		}
	}
}

func testNamesUnique(t *testing.T, c *env) {
	spec := c.spec("web", "sleep", "3600")
	c.create(t, spec)
	_, err := c.eng.CreateContainer(c.ctx(t), spec)
	if !errors.Is(err, engine.ErrExists) {
		t.Fatalf("second create of %q: got %v, want ErrExists", spec.Name, err)
	}
}

// testRacingCreates: of creates of one name at once (two `up` runs), one
// wins and the others get ErrExists, after which the winner's container
// can be inspected by that name at once. An engine reserves the name before
// the container exists; Engine 29's window is wide enough to see.
func testRacingCreates(t *testing.T, c *env) {
	spec := c.spec("web", "sleep", "3600")
	const n = 6
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ids[i], errs[i] = c.eng.CreateContainer(c.ctx(t), spec)
			if errors.Is(errs[i], engine.ErrExists) {
				// Right after the conflict, as a caller adopting the winner's container does.
				if _, err := c.eng.InspectContainer(c.ctx(t), spec.Name); err != nil {
					errs[i] = fmt.Errorf("inspect after ErrExists: %w", err)
				}
			}
		})
	}
	wg.Wait()
	won := 0
	for i := range n {
		switch {
		case errs[i] == nil:
			won++
		case !errors.Is(errs[i], engine.ErrExists):
			t.Errorf("create %d of %d: %v", i+1, n, errs[i])
		}
	}
	if won != 1 {
		t.Errorf("%d of %d racing creates of %q succeeded, want 1", won, n, spec.Name)
	}
}

func testLabelsRoundTrip(t *testing.T, c *env) {
	spec := c.spec("web", "true")
	spec.Labels["empty"] = ""
	spec.Labels["with=equals"] = "a=b,c"
	spec.Labels["unicode"] = "héllo wörld ✓"
	spec.Labels["spaces"] = "  two  spaces  "
	id := c.create(t, spec)
	// A real engine adds the image's labels to the container's; the
	// spec's labels must all be there, unchanged.
	if got := c.inspect(t, id).Labels; !hasLabels(got, spec.Labels) {
		t.Errorf("inspected labels:\n got %v\nwant %v", got, spec.Labels)
	}
	list, err := c.eng.ListContainers(c.ctx(t), engine.ContainerFilter{Project: c.project})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", ids(list), err)
	}
	if !hasLabels(list[0].Labels, spec.Labels) {
		t.Errorf("listed labels:\n got %v\nwant %v", list[0].Labels, spec.Labels)
	}
}

// hasLabels says whether got holds every label of want with its value.
func hasLabels(got, want map[string]string) bool {
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

func testInspectMissing(t *testing.T, c *env) {
	_, err := c.eng.InspectContainer(c.ctx(t), c.project+"-missing-1")
	if !isNotFound(err) {
		t.Fatalf("inspect missing: got %v, want ErrNotFound", err)
	}
}

func testRemoveMissing(t *testing.T, c *env) {
	err := c.eng.RemoveContainer(c.ctx(t), c.project+"-missing-1", engine.RemoveOptions{})
	if !isNotFound(err) {
		t.Fatalf("remove missing: got %v, want ErrNotFound", err)
	}
	err = c.eng.RemoveContainer(c.ctx(t), c.project+"-missing-1", engine.RemoveOptions{Force: true})
	if !isNotFound(err) {
		t.Fatalf("force remove missing: got %v, want ErrNotFound", err)
	}
}

func testStartStopMissing(t *testing.T, c *env) {
	name := c.project + "-missing-1"
	if err := c.eng.StartContainer(c.ctx(t), name); !isNotFound(err) {
		t.Errorf("start missing: got %v, want ErrNotFound", err)
	}
	if err := c.eng.StopContainer(c.ctx(t), name, nil); !isNotFound(err) {
		t.Errorf("stop missing: got %v, want ErrNotFound", err)
	}
	if err := c.eng.KillContainer(c.ctx(t), name, "SIGKILL"); !isNotFound(err) {
		t.Errorf("kill missing: got %v, want ErrNotFound", err)
	}
}

func testMissingImage(t *testing.T, c *env) {
	spec := c.spec("web", "true")
	spec.Image = uniqueName("berth-test/missing") + ":latest"
	_, err := c.eng.CreateContainer(c.ctx(t), spec)
	if !isNotFound(err) {
		t.Fatalf("create from missing image %q: got %v, want ErrNotFound", spec.Image, err)
	}
}

func testInspectByName(t *testing.T, c *env) {
	spec := c.spec("web", "true")
	id := c.create(t, spec)
	ctr := c.inspect(t, spec.Name)
	if ctr.ID != id || ctr.Name != spec.Name {
		t.Errorf("inspect by name: got %s %q, want %s %q", ctr.ID, ctr.Name, id, spec.Name)
	}
	if ctr.Created.IsZero() {
		t.Errorf("inspect: zero Created time")
	}
}

// testRename: a rename moves the name; a name another container holds is
// ErrExists and leaves both as they were; a missing container is
// ErrNotFound. Recreate relies on all three (a replacement is created
// under a temporary name, then renamed).
func testRename(t *testing.T, c *env) {
	web := c.spec("web", "true")
	id := c.create(t, web)
	db := c.spec("db", "true")
	dbID := c.create(t, db)
	if err := c.eng.RenameContainer(c.ctx(t), dbID, web.Name); !errors.Is(err, engine.ErrExists) {
		t.Errorf("rename onto a taken name: %v, want ErrExists", err)
	}
	if got := c.inspect(t, db.Name); got.ID != dbID {
		t.Errorf("after a refused rename, %q is %s, want %s", db.Name, got.ID, dbID)
	}
	renamed := c.project + "-web-9"
	if err := c.eng.RenameContainer(c.ctx(t), id, renamed); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if got := c.inspect(t, renamed); got.ID != id || got.Name != renamed {
		t.Errorf("inspect %q: got %s %q, want %s", renamed, got.ID, got.Name, id)
	}
	if _, err := c.eng.InspectContainer(c.ctx(t), web.Name); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("old name after rename: %v, want ErrNotFound", err)
	}
	if err := c.eng.RenameContainer(c.ctx(t), c.project+"-nope-1", c.project+"-nope-2"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("rename missing: %v, want ErrNotFound", err)
	}
}

func ids(cs []engine.Container) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
