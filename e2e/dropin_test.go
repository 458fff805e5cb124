package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAll writes files below the project directory.
func (p *project) writeAll(files map[string]string) {
	p.t.Helper()
	for name, body := range files {
		path := filepath.Join(p.dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			p.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// TestEnvironmentAsDeclared: an env_file in raw format reaches the
// container verbatim (quotes, ${...} and all), and a variable declared
// without a value and set nowhere removes the image's ENV of that name.
func TestEnvironmentAsDeclared(t *testing.T) {
	p := newProject(t, `services:
  app:
    build: .
    env_file:
      - path: app.env
        format: raw
    environment: [GONE]
    command: [sh, -c, 'echo "raw=$$JSON ref=$$REF gone=[$${GONE-unset}]"']
`)
	p.writeAll(map[string]string{
		"Dockerfile": "FROM berth-test/busybox\nENV GONE=from-image\n",
		"app.env":    "JSON='{\"key\": \"value\"}'\nREF=${HOME}\n",
	})
	out, _ := p.mustBerth("run", "--rm", "app")
	if want := `raw='{"key": "value"}' ref=${HOME} gone=[unset]`; !strings.Contains(out, want) {
		t.Errorf("run printed %q, want %q", out, want)
	}
	p.env = append(p.env, "GONE=from-shell")
	if out, _ = p.mustBerth("run", "--rm", "app"); !strings.Contains(out, "gone=[from-shell]") {
		t.Errorf("with GONE set in the shell, run printed %q", out)
	}
}

// TestSecretOfIncludedFile: a secret an included file declares from
// environment: takes its value from that include's env_file.
func TestSecretOfIncludedFile(t *testing.T) {
	p := newProject(t, `include:
  - path: child/compose.yaml
    env_file: [child.env]
services: {}
`)
	p.writeAll(map[string]string{
		"child.env": "TOKEN='from the include'\n",
		"child/compose.yaml": `services:
  reader:
    image: berth-test/busybox
    secrets: [token]
    command: [cat, /run/secrets/token]
secrets:
  token:
    environment: TOKEN
`,
	})
	if out, _ := p.mustBerth("run", "--rm", "reader"); !strings.Contains(out, "from the include") {
		t.Errorf("the secret read %q, want the include's env_file value", out)
	}
}

// TestCompatibilityNames: --compatibility (and COMPOSE_COMPATIBILITY) name
// containers project_service_1, as Docker Compose v1 did; berth finds them
// again by their labels.
func TestCompatibilityNames(t *testing.T) {
	p := newProject(t, "services:\n  web:\n    image: berth-test/busybox\n    command: [sleep, \"3600\"]\n")
	p.mustBerth("--compatibility", "up", "-d")
	if st := p.containers()[p.name+"_web_1"]; st != "running" {
		t.Fatalf("containers %v, want %s_web_1 running", p.containers(), p.name)
	}
	p.env = append(p.env, "COMPOSE_COMPATIBILITY=true")
	if _, stderr := p.mustBerth("up", "-d"); !strings.Contains(stderr, p.name+"_web_1") || strings.Contains(stderr, "Recreated") {
		t.Errorf("up again in compatibility mode: %s", stderr)
	}
	p.mustBerth("down", "-t", "0")
	if got := p.containers(); len(got) != 0 {
		t.Errorf("down left %v", got)
	}
}

// TestAllResources: --all-resources creates the networks and volumes the
// project declares and no service uses; without it they are left alone.
func TestAllResources(t *testing.T) {
	p := newProject(t, "services:\n  web:\n    image: berth-test/busybox\n    command: [sleep, \"3600\"]\n"+
		"volumes:\n  spare: {}\nnetworks:\n  spare: {}\n")
	_, stderr := p.mustBerth("up", "-d")
	if strings.Contains(stderr, "_spare") {
		t.Errorf("up without --all-resources made the unused ones: %s", stderr)
	}
	_, stderr = p.mustBerth("--all-resources", "up", "-d")
	for _, want := range []string{"Volume " + p.name + "_spare", "Network " + p.name + "_spare"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("up --all-resources did not say %q:\n%s", want, stderr)
		}
	}
	docker(t, "volume", "inspect", p.name+"_spare")
	docker(t, "network", "inspect", p.name+"_spare")
}

// TestMissingEnvFileOfAnotherService: a required env_file that is missing
// fails only what acts on its service; the rest of the project works.
func TestMissingEnvFileOfAnotherService(t *testing.T) {
	p := newProject(t, `services:
  good:
    image: berth-test/busybox
    command: [sleep, "3600"]
  broken:
    image: berth-test/busybox
    env_file: [missing.env]
`)
	p.mustBerth("up", "-d", "good")
	p.wantState("good", "running", "after up good")
	p.mustBerth("ps")
	p.mustBerth("logs")
	p.mustBerth("exec", "good", "true")
	p.mustBerth("config", "--hash", "good")
	p.mustBerth("config", "--no-env-resolution", "--hash", "broken")
	for _, args := range [][]string{{"config", "--hash", "broken"}, {"config", "--hash", "*"}, {"up", "-d", "broken"}} {
		_, stderr, err := p.berth(args...)
		if err == nil || !strings.Contains(stderr, "missing.env not found") {
			t.Errorf("berth %s: %v, stderr %q; want the missing env file named", strings.Join(args, " "), err, stderr)
		}
	}
	p.mustBerth("down", "-t", "0")
}
