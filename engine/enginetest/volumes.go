package enginetest

import (
	"maps"
	"testing"

	"berth/engine"
	"berth/project"
)

func volumeCases() []testCase {
	return []testCase{
		{"VolumeCreateInspectRemove", testVolumeLifecycle},
		{"VolumesListedByProject", testVolumeList},
		{"VolumeDataSurvivesContainer", testVolumeData},
		{"AnonymousVolumeRemovedWithContainer", testAnonymousVolume},
	}
}

func (c *env) volSpec(name string) engine.VolumeSpec {
	return engine.VolumeSpec{
		Name:   c.project + "_" + name,
		Labels: map[string]string{project.LabelProject: c.project, project.LabelVolume: name},
	}
}

func (c *env) createVolume(t *testing.T, spec engine.VolumeSpec) engine.Volume {
	t.Helper()
	v, err := c.eng.CreateVolume(c.ctx(t), spec)
	if err != nil {
		t.Fatalf("create volume %q: %v", spec.Name, err)
	}
	return v
}

func testVolumeLifecycle(t *testing.T, c *env) {
	spec := c.volSpec("data")
	v := c.createVolume(t, spec)
	if v.Name != spec.Name || v.Driver != "local" || !maps.Equal(v.Labels, spec.Labels) {
		t.Errorf("created volume %+v, want name %q driver local labels %v", v, spec.Name, spec.Labels)
	}
	again := spec
	again.Labels = map[string]string{project.LabelProject: c.project, "other": "label"}
	if v2, err := c.eng.CreateVolume(c.ctx(t), again); err != nil || !maps.Equal(v2.Labels, spec.Labels) {
		t.Errorf("second create of %q: %+v, %v; want the first volume unchanged", spec.Name, v2, err)
	}
	got, err := c.eng.InspectVolume(c.ctx(t), spec.Name)
	if err != nil || got.Name != spec.Name || !maps.Equal(got.Labels, spec.Labels) || got.Mountpoint == "" {
		t.Errorf("inspected volume %+v, %v", got, err)
	}
	if err := c.eng.RemoveVolume(c.ctx(t), spec.Name); err != nil {
		t.Fatalf("remove volume: %v", err)
	}
	if _, err := c.eng.InspectVolume(c.ctx(t), spec.Name); !isNotFound(err) {
		t.Errorf("inspect removed volume: got %v, want ErrNotFound", err)
	}
	if err := c.eng.RemoveVolume(c.ctx(t), spec.Name); !isNotFound(err) {
		t.Errorf("remove missing volume: got %v, want ErrNotFound", err)
	}
}

func testVolumeList(t *testing.T, c *env) {
	other := newCase(t, c.cfg, c.eng)
	other.createVolume(t, other.volSpec("data"))
	a := c.createVolume(t, c.volSpec("a"))
	b := c.createVolume(t, c.volSpec("b"))
	vols, err := c.eng.ListVolumes(c.ctx(t), c.project)
	if err != nil {
		t.Fatalf("list volumes: %v", err)
	}
	if len(vols) != 2 || vols[0].Name != a.Name || vols[1].Name != b.Name {
		t.Errorf("volumes of %q: got %+v, want %q and %q (sorted)", c.project, vols, a.Name, b.Name)
	}
}

func testVolumeData(t *testing.T, c *env) {
	vol := c.createVolume(t, c.volSpec("data"))
	mount := []engine.Mount{{Type: "volume", Source: vol.Name, Target: "/data"}}
	w := c.spec("writer", "sh", "-c", "echo hi > /data/f")
	w.Mounts = mount
	id, code := c.run(t, w)
	if code != 0 {
		t.Fatalf("writer exited %d", code)
	}
	if err := c.eng.RemoveContainer(c.ctx(t), id, engine.RemoveOptions{Volumes: true}); err != nil {
		t.Fatalf("remove writer: %v", err)
	}
	r := c.spec("reader", "cat", "/data/f")
	r.Mounts = mount
	id, code = c.run(t, r)
	if code != 0 {
		t.Fatalf("reader exited %d", code)
	}
	s, err := c.eng.Logs(c.ctx(t), id, engine.LogOptions{Tail: "all"})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	closeStream(t, s)
	if got, _ := c.readBoth(t, "logs", s); got != "hi\n" {
		t.Errorf("read back from volume %q: %q, want %q", vol.Name, got, "hi\n")
	}
}

func testAnonymousVolume(t *testing.T, c *env) {
	spec := c.spec("web", "true")
	spec.Mounts = []engine.Mount{{Type: "volume", Target: "/cache"}}
	id := c.create(t, spec)
	var name string
	for _, m := range c.inspect(t, id).Mounts {
		if m.Target == "/cache" && m.Type == "volume" {
			name = m.Source
		}
	}
	if name == "" {
		t.Fatalf("mounts of %q: %+v, want an anonymous volume at /cache", spec.Name, c.inspect(t, id).Mounts)
	}
	if _, err := c.eng.InspectVolume(c.ctx(t), name); err != nil {
		t.Fatalf("inspect anonymous volume %q: %v", name, err)
	}
	if err := c.eng.RemoveContainer(c.ctx(t), id, engine.RemoveOptions{Volumes: true}); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := c.eng.InspectVolume(c.ctx(t), name); !isNotFound(err) {
		t.Errorf("anonymous volume %q after remove -v: got %v, want ErrNotFound", name, err)
	}
}
