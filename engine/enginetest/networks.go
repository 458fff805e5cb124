package enginetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"

	"berth/engine"
	"berth/network"
	"berth/project"
)

func networkCases() []testCase {
	return []testCase{
		{"NetworkCreateTwiceExists", testNetworkTwice},
		{"NetworkRemoveMissingIsNotFound", testNetworkRemoveMissing},
		{"NetworkEnsureRace", testNetworkRace},
		{"NetworksListedByProject", testNetworkList},
		{"ContainerNetworks", testContainerNetworks},
	}
}

func (c *env) netSpec(name string) network.Spec {
	return network.Spec{
		Name:   c.project + "_" + name,
		Labels: map[string]string{project.LabelProject: c.project, project.LabelNetwork: name},
	}
}

func (c *env) createNetwork(t *testing.T, spec network.Spec) string {
	t.Helper()
	id, err := c.eng.CreateNetwork(c.ctx(t), spec)
	if err != nil {
		t.Fatalf("create network %q: %v", spec.Name, err)
	}
	return id
}

func testNetworkTwice(t *testing.T, c *env) {
	spec := c.netSpec("default")
	id := c.createNetwork(t, spec)
	if _, err := c.eng.CreateNetwork(c.ctx(t), spec); !errors.Is(err, engine.ErrExists) {
		t.Fatalf("second create of %q: got %v, want ErrExists", spec.Name, err)
	}
	info, err := c.eng.InspectNetwork(c.ctx(t), spec.Name)
	if err != nil {
		t.Fatalf("inspect network: %v", err)
	}
	if info.ID != id || info.Name != spec.Name || !maps.Equal(info.Labels, spec.Labels) {
		t.Errorf("inspected network %+v, want ID %s name %q labels %v", info, id, spec.Name, spec.Labels)
	}
	if _, err := c.eng.InspectNetwork(c.ctx(t), c.project+"_missing"); !isNotFound(err) {
		t.Errorf("inspect missing network: got %v, want ErrNotFound", err)
	}
}

func testNetworkRemoveMissing(t *testing.T, c *env) {
	spec := c.netSpec("default")
	c.createNetwork(t, spec)
	if err := c.eng.RemoveNetwork(c.ctx(t), spec.Name); err != nil {
		t.Fatalf("remove network: %v", err)
	}
	if err := c.eng.RemoveNetwork(c.ctx(t), spec.Name); !isNotFound(err) {
		t.Fatalf("remove of a removed network: got %v, want ErrNotFound", err)
	}
}

// ensure is network.Ensure in miniature: inspect, create when missing, and
// when another caller won the race, inspect again.
func ensure(ctx context.Context, eng engine.Engine, spec network.Spec) (string, error) {
	info, err := eng.InspectNetwork(ctx, spec.Name)
	if err == nil {
		return info.ID, nil
	}
	if !errors.Is(err, engine.ErrNotFound) {
		return "", err
	}
	id, err := eng.CreateNetwork(ctx, spec)
	if errors.Is(err, engine.ErrExists) {
		info, err = eng.InspectNetwork(ctx, spec.Name)
		return info.ID, err
	}
	return id, err
}

func testNetworkRace(t *testing.T, c *env) {
	spec := c.netSpec("default")
	ctx := c.ctx(t)
	ids := make([]string, 10)
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { ids[i], errs[i] = ensure(ctx, c.eng, spec) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent ensure: %v", err)
	}
	nets, err := c.eng.ListNetworks(c.ctx(t), c.project)
	if err != nil {
		t.Fatalf("list networks: %v", err)
	}
	if len(nets) != 1 {
		t.Fatalf("after 10 concurrent ensures: %d networks %+v, want 1", len(nets), nets)
	}
	for i, id := range ids {
		if id != nets[0].ID {
			t.Errorf("ensure %d returned %s, want %s", i, id, nets[0].ID)
		}
	}
}

func testNetworkList(t *testing.T, c *env) {
	other := newCase(t, c.cfg, c.eng)
	other.createNetwork(t, other.netSpec("default"))
	a := c.createNetwork(t, c.netSpec("front"))
	b := c.createNetwork(t, c.netSpec("back"))
	nets, err := c.eng.ListNetworks(c.ctx(t), c.project)
	if err != nil {
		t.Fatalf("list networks: %v", err)
	}
	var got []string
	for _, n := range nets {
		got = append(got, n.ID)
	}
	want := []string{a, b}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("networks of %q: got %v, want %v", c.project, nets, want)
	}
}

func testContainerNetworks(t *testing.T, c *env) {
	front, back := c.netSpec("front"), c.netSpec("back")
	c.createNetwork(t, front)
	c.createNetwork(t, back)
	spec := c.spec("web", "sleep", "3600")
	spec.Networks = []network.Endpoint{{Network: front.Name, Aliases: []string{"web"}}}
	id := c.create(t, spec)
	ctx := c.ctx(t)
	if err := c.eng.ConnectNetwork(ctx, back.Name, id, network.Endpoint{Network: back.Name}); err != nil {
		t.Fatalf("connect: %v", err)
	}
	assertNetworks(t, c.inspect(t, id), back.Name, front.Name)
	c.start(t, id)
	if err := c.eng.DisconnectNetwork(ctx, back.Name, id); err != nil {
		t.Fatalf("disconnect: %v", err)
	}
	assertNetworks(t, c.inspect(t, id), front.Name)
	missing := c.project + "_missing"
	if err := c.eng.ConnectNetwork(ctx, missing, id, network.Endpoint{Network: missing}); !isNotFound(err) {
		t.Errorf("connect to a missing network: got %v, want ErrNotFound", err)
	}
	bad := spec
	bad.Name = c.project + "-bad-1"
	bad.Networks = []network.Endpoint{{Network: missing}}
	// Engine 20.10 (API 1.41) accepts the create and refuses the start.
	badID, err := c.eng.CreateContainer(ctx, bad)
	if err == nil {
		err = c.eng.StartContainer(ctx, badID)
	}
	if !isNotFound(err) {
		t.Errorf("create and start on a missing network: got %v, want ErrNotFound", err)
	}
}

func assertNetworks(t *testing.T, ctr engine.Container, want ...string) {
	t.Helper()
	if !slices.Equal(ctr.Networks, want) {
		t.Errorf("networks of %q: %v, want %v", ctr.Name, ctr.Networks, want)
	}
}
