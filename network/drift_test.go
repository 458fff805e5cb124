package network

import (
	"berth/project"
	"maps"
	"strings"
	"testing"
)

func TestDrift(t *testing.T) {
	spec := Spec{Name: "demo_back", Driver: "bridge", DriverOpts: map[string]string{"mtu": "1400"},
		Labels: map[string]string{"com.docker.compose.network": "back", "com.docker.compose.version": "1", "team": "a"}}
	spec.Labels[project.LabelNetworkFields] = encode(fieldDigests(spec))
	info := Info{Name: spec.Name, Driver: "bridge", Labels: maps.Clone(spec.Labels)}
	if d := Drift(spec, info); d != "" {
		t.Fatalf("same network drifts: %s", d)
	}
	info.Labels["com.docker.compose.version"] = "0.9" // another berth or Compose version is no drift
	if d := Drift(spec, info); d != "" {
		t.Fatalf("version label drifts: %s", d)
	}
	changed := spec
	changed.DriverOpts = map[string]string{"mtu": "9000"}
	if d := Drift(changed, info); !strings.Contains(d, "network demo_back was found but its driver_opts setting differs") {
		t.Errorf("driver_opts: %q", d)
	}
	changed = spec
	changed.Internal = true
	if d := Drift(changed, info); !strings.Contains(d, "its internal setting differs") {
		t.Errorf("internal: %q", d)
	}
	info.Driver = "macvlan"
	if d := Drift(spec, info); d != `network demo_back was found but has incorrect driver "macvlan" (expected: "bridge")` {
		t.Errorf("driver: %q", d)
	}
}
