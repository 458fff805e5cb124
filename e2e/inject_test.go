package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretRotationKeyedLabel: a secret from the environment is written
// into the container; the label that detects its change is keyed by the
// user's inject key (created once, mode 0600) and shows nothing of the
// secret; the same value leaves the container alone, a new one recreates it.
func TestSecretRotationKeyedLabel(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    secrets: [pin]
secrets:
  pin: {environment: BERTH_E2E_PIN}
`)
	container := p.name + "-web-1"
	p.env = []string{"BERTH_E2E_PIN=493817"}
	p.mustBerth("up", "-d")
	first := docker(t, "inspect", "--format", `{{.Id}} {{index .Config.Labels "io.berth.injected"}}`, container)
	if len(first) != 2 || !strings.HasPrefix(first[1], "hmac-sha256:") || strings.Contains(first[1], "493817") {
		t.Fatalf("container and label: %v", first)
	}
	fi, err := os.Stat(filepath.Join(p.config, "berth", "inject.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("inject key: %v, %v", fi, err)
	}

	p.mustBerth("up", "-d")
	if again := docker(t, "inspect", "--format", "{{.Id}}", container); again[0] != first[0] {
		t.Errorf("same secret: container recreated (%s → %s)", first[0], again[0])
	}

	p.env = []string{"BERTH_E2E_PIN=000000"}
	p.mustBerth("up", "-d")
	if rotated := docker(t, "inspect", "--format", "{{.Id}}", container); rotated[0] == first[0] {
		t.Error("new secret: container kept")
	}
	if got := docker(t, "exec", container, "cat", "/run/secrets/pin"); strings.Join(got, "") != "000000" {
		t.Errorf("secret reads %q", got)
	}
}
