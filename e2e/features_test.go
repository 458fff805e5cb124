package e2e

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// The features newer engines have (engine.Feature) through the binary: on
// an engine that has them, up applies each one; on an older one (Engine
// 20.10, API 1.41), up refuses those that change what the container is
// before it creates anything, naming service and key, and warns about the
// refinements the engine would ignore.

// serverAPI is the engine's own API version ("1.41", "1.56").
func serverAPI(t *testing.T) string {
	t.Helper()
	out := docker(t, "version", "--format", "{{.Server.APIVersion}}")
	if len(out) != 1 {
		t.Fatalf("docker version: %q", out)
	}
	return out[0]
}

// apiAtLeast compares "1.x" versions by their minor number.
func apiAtLeast(have, want string) bool {
	minor := func(v string) int {
		_, m, _ := strings.Cut(v, ".")
		n, _ := strconv.Atoi(m)
		return n
	}
	return minor(have) >= minor(want)
}

func gatedProject(t *testing.T) (*project, byte) {
	var b [1]byte
	_, _ = rand.Read(b[:])
	return newProject(t, fmt.Sprintf(`
services:
  seed:
    image: berth-test/busybox
    command: ["sh", "-c", "mkdir -p /data/inner && echo from-subpath > /data/inner/f"]
    volumes: [data:/data]
  app:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    depends_on: {seed: {condition: service_completed_successfully}}
    healthcheck: {test: ["CMD", "true"], interval: 1h, start_period: 1m, start_interval: 200ms}
    volumes:
      - {type: volume, source: data, target: /sub, volume: {subpath: inner}}
      - {type: image, source: berth-test/busybox, target: /img, image: {subpath: bin}}
    networks:
      back: {}
      front: {gw_priority: 10, mac_address: "02:42:ac:11:00:78"}
volumes: {data: {}}
networks:
  back: {}
  front: {ipam: {config: [{subnet: 10.216.%d.0/24}]}}
`, b[0])), b[0]
}

// TestGatedFeaturesApplied needs API 1.48 (Docker Engine 28): the modern
// engine of make test-modern.
func TestGatedFeaturesApplied(t *testing.T) {
	requireEngine(t)
	if api := serverAPI(t); !apiAtLeast(api, "1.48") {
		t.Skipf("gate: API 1.48 (image mounts, gw_priority); this engine speaks %s (TestGatedFeaturesRefused covers it)", api)
	}
	p, net := gatedProject(t)
	// start_interval: with an interval of an hour, only the fast probes
	// of the start period make app healthy within the wait.
	_, stderr := p.mustBerth("up", "-d", "--wait", "--wait-timeout", "60")
	if strings.Contains(stderr, "not applied") {
		t.Errorf("warnings on an engine that has every feature:\n%s", stderr)
	}
	check := fmt.Sprintf(`set -e
test "$(cat /sub/f)" = from-subpath
test -x /img/busybox && test ! -e /img/bin
cat /sys/class/net/*/address | grep -qx 02:42:ac:11:00:78
ip route | grep -q '^default via 10.216.%d.1 '
echo all-applied`, net)
	if out, _ := p.mustBerth("exec", "-T", "app", "sh", "-c", check); !strings.Contains(out, "all-applied") {
		t.Errorf("exec: %q", out)
	}
	p.mustBerth("down", "-v")
}

// TestGatedFeaturesRefused runs on an engine older than API 1.44 (Engine
// 20.10, the machine's).
func TestGatedFeaturesRefused(t *testing.T) {
	requireEngine(t)
	if api := serverAPI(t); apiAtLeast(api, "1.44") {
		t.Skipf("gate: an engine without API 1.44 features; this one speaks %s (TestGatedFeaturesApplied covers it)", api)
	}
	p, _ := gatedProject(t)
	_, stderr, err := p.berth("up", "-d")
	if err == nil {
		t.Fatalf("up succeeded on an old engine:\n%s", stderr)
	}
	for _, want := range []string{
		`service "app": networks.front.mac_address needs Docker Engine 25.0 or later (API 1.44; this engine speaks API 1.41)`,
		`service "app": volumes[0] (target /sub) volume.subpath needs Docker Engine 26.0 or later`,
		`service "app": volumes[1] (target /img) type: image needs Docker Engine 28.0 or later`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if cs, nets := p.containers(), p.networks(); len(cs) != 0 || len(nets) != 0 {
		t.Errorf("a refused up created containers %v, networks %v", cs, nets)
	}

	// The refinements an old engine ignores are warnings; the rest runs.
	p.write(`
services:
  app:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    healthcheck: {test: ["CMD", "true"], start_period: 1m, start_interval: 1s}
    networks: {back: {gw_priority: 10}}
networks: {back: {}}
`)
	_, stderr = p.mustBerth("up", "-d")
	for _, want := range []string{
		`service "app": healthcheck.start_interval is not applied: it needs Docker Engine 25.0 or later`,
		`service "app": networks.back.gw_priority is not applied: it needs Docker Engine 28.0 or later`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	p.wantState("app", "running", "after up with warnings")
	p.mustBerth("down")
}
