package docker

import (
	"net/netip"
	"testing"

	"berth/engine"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

func TestStatusWords(t *testing.T) {
	for _, tc := range []struct {
		status string
		code   int
		health engine.Health
	}{
		{"Exited (137) 2 seconds ago", 137, ""},
		{"Exited (0) About a minute ago", 0, ""},
		{"Restarting (1) Less than a second ago", 1, ""},
		{"Up 3 seconds", 0, ""},
		{"Up 3 seconds (healthy)", 0, engine.HealthHealthy},
		{"Up About an hour (unhealthy)", 0, engine.HealthUnhealthy},
		{"Up 1 second (health: starting)", 0, engine.HealthStarting},
		{"Up 5 minutes (Paused)", 0, ""},
		{"Created", 0, ""},
		{"Dead", 0, ""},
		{"Exited (", 0, ""},
		{"Exited (x) 1 second ago", 0, ""},
		{"", 0, ""},
	} {
		if got := exitCodeFromStatus(tc.status); got != tc.code {
			t.Errorf("exit code of %q: got %d, want %d", tc.status, got, tc.code)
		}
		if got := healthFromStatus(tc.status); got != tc.health {
			t.Errorf("health of %q: got %q, want %q", tc.status, got, tc.health)
		}
	}
}

func TestFromSummary(t *testing.T) {
	got := fromSummary(container.Summary{
		ID:     "abc",
		Names:  []string{"/other/alias", "/p-web-1"},
		State:  container.StateRunning,
		Status: "Up 2 seconds (healthy)",
		Ports: []container.PortSummary{
			{IP: netip.MustParseAddr("0.0.0.0"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"},
			{PrivatePort: 53, Type: "udp"},
		},
		NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{"p_b": nil, "p_a": nil}},
	})
	if got.Name != "p-web-1" || got.Health != engine.HealthHealthy || got.State != engine.StateRunning {
		t.Errorf("name %q health %q state %q", got.Name, got.Health, got.State)
	}
	if len(got.Ports) != 2 || got.Ports[0].ContainerPort != 53 || got.Ports[1].HostIP != "0.0.0.0" || got.Ports[1].HostPort != 8080 {
		t.Errorf("ports %+v", got.Ports)
	}
	if len(got.Networks) != 2 || got.Networks[0] != "p_a" {
		t.Errorf("networks %v, want sorted", got.Networks)
	}
}
