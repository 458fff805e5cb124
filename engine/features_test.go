package engine

import (
	"slices"
	"strings"
	"testing"
	"time"

	"berth/network"
)

func TestFeatureSupported(t *testing.T) {
	tests := []struct {
		f    Feature
		api  string
		want bool
	}{
		{VolumeSubpath, "1.41", false},
		{VolumeSubpath, "1.45", true},
		{VolumeSubpath, "1.56", true},
		{ImageMount, "1.47", false},
		{ImageMount, "1.48", true},
		{HealthStartInterval, "1.9", false}, // numbers, not strings: 9 < 44
		{HealthStartInterval, "2.0", true},
		{MultiNetworkCreate, "", false},
	}
	for _, tt := range tests {
		if got := tt.f.Supported(tt.api); got != tt.want {
			t.Errorf("%s on API %q: %v, want %v", tt.f.Name, tt.api, got, tt.want)
		}
	}
	if got := ImageMount.Needs("1.41"); got != "needs Docker Engine 28.0 or later (API 1.48; this engine speaks API 1.41)" {
		t.Errorf("Needs: %q", got)
	}
}

func TestSpecUses(t *testing.T) {
	var spec ContainerSpec
	if got := spec.Uses(); len(got) != 0 {
		t.Errorf("empty spec uses %v", got)
	}
	// The first network's MAC address, the container's own, is no feature.
	spec.MacAddress = "02:42:ac:11:00:02"
	spec.Networks = []network.Endpoint{{Network: "a", MacAddress: spec.MacAddress}, {Network: "b"}}
	if got := spec.Uses(); len(got) != 0 {
		t.Errorf("primary MAC uses %v", got)
	}
	spec.Networks[1].MacAddress = "02:42:ac:11:00:03"
	spec.Networks[1].GatewayPriority = 10
	spec.Healthcheck = &Healthcheck{Test: []string{"CMD", "true"}, StartInterval: time.Second}
	spec.Mounts = []Mount{{Type: "volume", Source: "v", Target: "/v", Subpath: "sub"}, {Type: "image", Source: "img", Target: "/i"}}
	var names []string
	for _, f := range spec.Uses() {
		names = append(names, f.Name)
	}
	want := []string{EndpointMacAddress.Name, HealthStartInterval.Name, VolumeSubpath.Name, ImageMount.Name, GatewayPriority.Name}
	if !slices.Equal(names, want) {
		t.Errorf("uses %v, want %v", names, want)
	}
	if err := spec.Unsupported("1.48"); err != nil {
		t.Errorf("on API 1.48: %v", err)
	}
	if err := spec.Unsupported("1.44"); err == nil || !strings.Contains(err.Error(), "volumes.*.volume.subpath needs Docker Engine 26.0") {
		t.Errorf("on API 1.44: %v", err)
	}
}
