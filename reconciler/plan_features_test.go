package reconciler

import (
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// A service using every gated feature, on two networks; back, the first
// by name, is the primary one, so front's MAC address is per network.
const gatedYAML = `
services:
  web:
    image: busybox
    healthcheck: {test: [CMD, "true"], start_period: 1m, start_interval: 1s}
    volumes:
      - {type: volume, source: data, target: /data, volume: {subpath: sub}}
      - {type: image, source: berth-test/busybox, target: /img, image: {subpath: bin}}
    networks:
      back: {gw_priority: 10}
      front: {mac_address: "02:42:ac:11:00:03"}
volumes: {data: {}}
networks: {front: {}, back: {}}
`

// On Engine 20.10 (API 1.41) what would change the container is refused
// before anything is created, each key named with its service; the
// refinements the engine would ignore are warnings.
func TestPlanGatedFeaturesOnOldEngine(t *testing.T) {
	got := planErr(t, gatedYAML, func(_ *types.Project, st *Observed) { st.APIVersion = "1.41" })
	wantIn(t, got,
		`service "web": networks.front.mac_address needs Docker Engine 25.0 or later (API 1.44; this engine speaks API 1.41)`,
		`service "web": volumes[0] (target /data) volume.subpath needs Docker Engine 26.0 or later (API 1.45`,
		`service "web": volumes[1] (target /img) type: image needs Docker Engine 28.0 or later (API 1.48`)

	p := mustLoad(t, `
services:
  web:
    image: busybox
    healthcheck: {test: [CMD, "true"], start_period: 1m, start_interval: 1s}
    networks: {front: {gw_priority: 10}}
networks: {front: {}}
`)
	plan := mustPlan(t, p, Observed{APIVersion: "1.41", Images: images(p)}, UpOptions{})
	wantWarnings(t, plan.Warnings,
		`service "web": healthcheck.start_interval is not applied: it needs Docker Engine 25.0 or later (API 1.44; this engine speaks API 1.41)`,
		`service "web": networks.front.gw_priority is not applied: it needs Docker Engine 28.0 or later (API 1.48; this engine speaks API 1.41)`)
	spec := createSpec(t, plan, "demo-web-1")
	if spec.Healthcheck.StartInterval != 0 || spec.Networks[0].GatewayPriority != 0 {
		t.Errorf("the old engine's spec keeps what it would ignore: %+v %+v", spec.Healthcheck, spec.Networks)
	}
}

// On an engine that has them, every key reaches the spec and nothing is said.
func TestPlanGatedFeaturesOnModernEngine(t *testing.T) {
	p := mustLoad(t, gatedYAML)
	plan := mustPlan(t, p, Observed{APIVersion: "1.48", Images: images(p)}, UpOptions{})
	if len(plan.Warnings) != 0 {
		t.Errorf("warnings: %q", plan.Warnings)
	}
	spec := createSpec(t, plan, "demo-web-1")
	if err := spec.Unsupported("1.48"); err != nil {
		t.Error(err)
	}
	var names []string
	for _, f := range spec.Uses() {
		names = append(names, f.Name)
	}
	want := []string{engine.EndpointMacAddress.Name, engine.HealthStartInterval.Name, engine.VolumeSubpath.Name, engine.ImageMount.Name, engine.GatewayPriority.Name}
	if !slices.Equal(names, want) {
		t.Errorf("spec uses %v, want %v", names, want)
	}
	img := spec.Mounts[1]
	if img.Type != "image" || img.Source != "berth-test/busybox" || img.Subpath != "bin" || spec.Mounts[0].Subpath != "sub" {
		t.Errorf("mounts: %+v", spec.Mounts)
	}
}

func wantWarnings(t *testing.T, got []string, wants ...string) {
	t.Helper()
	all := strings.Join(got, "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
}

func createSpec(t *testing.T, plan Plan, name string) engine.ContainerSpec {
	t.Helper()
	for _, a := range plan.Actions {
		if a.Op == OpCreate && a.Target == name {
			return *a.Container
		}
	}
	t.Fatalf("no create of %s in\n%s", name, plan)
	return engine.ContainerSpec{}
}
