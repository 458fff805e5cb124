package enginetest

import (
	"reflect"
	"testing"
	"time"

	"berth/engine"
)

// listCases hold both engines to what engine.Container documents a list
// fills, and to the fields it leaves to InspectContainer.
func listCases() []testCase {
	return []testCase{
		{"ListFillsListFields", testListFields},
		{"ListReadsExitCode", testListExitCode},
		{"ListReadsHealth", testListHealth},
	}
}

// listOne lists the case's project and expects exactly the container id.
func (c *env) listOne(t *testing.T, id string) engine.Container {
	t.Helper()
	list, err := c.eng.ListContainers(c.ctx(t), engine.ContainerFilter{Project: c.project})
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("list: %v %v, want only %s", ids(list), err, id)
	}
	return list[0]
}

func testListFields(t *testing.T, c *env) {
	spec := c.spec("web", "sleep", "3600")
	spec.Restart = engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}
	spec.Mounts = []engine.Mount{{Type: "volume", Target: "/data"}}
	id := c.create(t, spec)
	c.start(t, id)
	got, want := c.listOne(t, id), c.inspect(t, id)
	same := func(field string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			t.Errorf("listed %s: got %v, inspected %v", field, g, w)
		}
	}
	same("name", got.Name, want.Name)
	same("image", got.Image, want.Image)
	same("image ID", got.ImageID, want.ImageID)
	same("command", got.Command, want.Command)
	same("state", got.State, want.State)
	same("labels", got.Labels, want.Labels)
	same("ports", got.Ports, want.Ports)
	same("networks", got.Networks, want.Networks)
	same("mounts", got.Mounts, want.Mounts)
	if d := want.Created.Sub(got.Created); d < 0 || d >= time.Second {
		t.Errorf("listed created %v, inspected %v: want the same second", got.Created, want.Created)
	}
	if got.ExitCode != 0 || got.Health != engine.HealthNone {
		t.Errorf("listed running container: exit %d health %q, want 0 and none", got.ExitCode, got.Health)
	}
	// Inspect-only: a list leaves them zero.
	if got.RestartPolicy != (engine.RestartPolicy{}) || got.RestartCount != 0 ||
		!got.StartedAt.IsZero() || !got.FinishedAt.IsZero() {
		t.Errorf("listed inspect-only fields: restart %+v count %d started %v finished %v, want zero",
			got.RestartPolicy, got.RestartCount, got.StartedAt, got.FinishedAt)
	}
	if want.RestartPolicy != spec.Restart || want.StartedAt.IsZero() {
		t.Errorf("inspected: restart %+v started %v, want %+v and a time", want.RestartPolicy, want.StartedAt, spec.Restart)
	}
}

func testListExitCode(t *testing.T, c *env) {
	id, code := c.run(t, c.spec("job", "sh", "-c", "exit 3"))
	if code != 3 {
		t.Fatalf("run: exit %d, want 3", code)
	}
	if got := c.listOne(t, id); got.State != engine.StateExited || got.ExitCode != 3 {
		t.Errorf("listed exited container: state %q exit %d (status %q), want exited 3", got.State, got.ExitCode, got.Status)
	}
}

func testListHealth(t *testing.T, c *env) {
	rec := c.watch(t)
	spec := c.spec("web", "sleep", "3600")
	spec.Healthcheck = &engine.Healthcheck{Test: []string{"CMD", "true"}, Interval: 100 * time.Millisecond}
	id := c.create(t, spec)
	c.start(t, id)
	rec.expect(t, id, engine.EventCreate, engine.EventStart, engine.EventHealth)
	if got := c.listOne(t, id); got.Health != engine.HealthHealthy {
		t.Errorf("listed health %q (status %q), want healthy", got.Health, got.Status)
	}
}
