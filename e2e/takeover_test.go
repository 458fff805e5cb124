package e2e

import (
	"bytes"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// takeoverProject uses the keys whose config hash used to differ between
// berth and Docker Compose (env_file, healthcheck, restart, deploy), with
// ports, volumes, labels, replicas, depends_on and a second network.
const takeoverProject = `services:
  web:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    env_file: [app.env]
    environment: {B: "2"}
    healthcheck: {test: ["CMD", "true"], interval: 2s}
    restart: unless-stopped
    deploy:
      resources: {limits: {memory: 64M}}
    ports: ["80"]
    volumes: [data:/data, /anon]
    labels: {com.example: x}
  db:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    deploy: {replicas: 2}
  after:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    depends_on: [db]
    networks: [default, back]
networks:
  back: {}
volumes:
  data: {}
`

// dockerCompose is the Docker Compose binary BERTH_E2E_COMPOSE names (a
// standalone docker-compose); the takeover tests need one to take over from.
func dockerCompose(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("BERTH_E2E_COMPOSE")
	if bin == "" {
		t.Skip("gate: BERTH_E2E_COMPOSE names no Docker Compose binary to take over from")
	}
	return bin
}

// compose runs Docker Compose on the project as berth runs: same
// directory, name and environment.
func (p *project) compose(bin string, args ...string) string {
	p.t.Helper()
	cmd := p.command(args...)
	cmd.Path, cmd.Args = bin, append([]string{bin, "-p", p.name}, args...)
	// Docker Compose reads an empty COMPOSE_FILE as a file name.
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool { return kv == "COMPOSE_FILE=" })
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("docker compose %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// containerIDs maps each container of the project to its ID.
func (p *project) containerIDs() map[string]string {
	out := map[string]string{}
	for _, l := range docker(p.t, "ps", "-a", "--no-trunc", "--filter", p.label(), "--format", "{{.Names}}={{.ID}}") {
		name, id, _ := strings.Cut(l, "=")
		out[name] = id
	}
	return out
}

func writeTakeoverProject(t *testing.T) *project {
	p := newProject(t, takeoverProject)
	if err := os.WriteFile(p.dir+"/app.env", []byte("# from the env file\nA=1\nQ=\"quoted\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTakeoverFromDockerCompose: a project Docker Compose brought up is
// taken over by berth up -d with every container kept.
func TestTakeoverFromDockerCompose(t *testing.T) {
	bin := dockerCompose(t)
	p := writeTakeoverProject(t)
	p.compose(bin, "up", "-d")
	before := p.containerIDs()
	if len(before) != 4 {
		t.Fatalf("Docker Compose made %d containers, want 4: %v", len(before), before)
	}
	out, errOut := p.mustBerth("up", "-d")
	if strings.Contains(out+errOut, "Recreate") {
		t.Errorf("berth recreated containers:\n%s%s", out, errOut)
	}
	if after := p.containerIDs(); !maps.Equal(before, after) {
		t.Errorf("containers changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestTakeoverByDockerCompose: the reverse; Docker Compose keeps every
// container berth made.
func TestTakeoverByDockerCompose(t *testing.T) {
	bin := dockerCompose(t)
	p := writeTakeoverProject(t)
	p.mustBerth("up", "-d")
	before := p.containerIDs()
	out := p.compose(bin, "up", "-d")
	if strings.Contains(out, "Recreate") {
		t.Errorf("Docker Compose recreated containers:\n%s", out)
	}
	if after := p.containerIDs(); !maps.Equal(before, after) {
		t.Errorf("containers changed:\nbefore %v\nafter  %v", before, after)
	}
}
