package network

import (
	"berth/project"
	"maps"
	"testing"
)

func TestDrift(t *testing.T) {
	spec := Spec{Name: "demo_back", Driver: "bridge", DriverOpts: map[string]string{"mtu": "1400"},
		Labels: map[string]string{"com.docker.compose.network": "back", "com.docker.compose.version": "1", "team": "a"}}
	spec.Labels[project.LabelNetworkFields] = encode(fieldDigests(spec))
	info := Info{Name: spec.Name, Driver: "bridge", Labels: maps.Clone(spec.Labels)}
	if d := Changed(spec, info); d != "" {
		t.Fatalf("same network drifts: %s", d)
	}
	info.Labels["com.docker.compose.version"] = "0.9" // another berth or Compose version is no drift
	if d := Changed(spec, info); d != "" {
		t.Fatalf("version label drifts: %s", d)
	}
	changed := spec
	changed.DriverOpts = map[string]string{"mtu": "9000"}
	if d := Changed(changed, info); d != "driver_opts" {
		t.Errorf("driver_opts: %q", d)
	}
	changed = spec
	changed.Internal = true
	if d := Changed(changed, info); d != "internal" {
		t.Errorf("internal: %q", d)
	}
	changed = spec
	changed.Labels = maps.Clone(spec.Labels)
	changed.Labels["team"] = "b"
	if d := Changed(changed, info); d != "labels.team" {
		t.Errorf("label: %q", d)
	}
	info.Driver = "macvlan"
	if d := Changed(spec, info); d != "driver" {
		t.Errorf("driver: %q", d)
	}
}
