package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/internal/testimages"
)

// The stack tests put the shared engine into swarm mode for as short a
// time as they can: one top-level test, TestStack, makes the swarm once
// and leaves it in its cleanup (which runs on failure too), and TestMain
// leaves it again should a test binary end without that cleanup. They
// only ever touch objects labelled with their own stack.

var swarmState struct {
	sync.Mutex
	ours        bool // this process made the swarm
	hadGWBridge bool // docker_gwbridge existed before
}

func TestMain(m *testing.M) {
	code := m.Run()
	leaveSwarm()
	os.Exit(code)
}

// engineSwarmState is the engine's LocalNodeState.
func engineSwarmState() string {
	out, _ := exec.Command("docker", "info", "--format", "{{.Swarm.LocalNodeState}}").Output()
	return strings.TrimSpace(string(out))
}

// requireSwarm makes the shared engine a one-node swarm manager for the
// test, and leaves the swarm when it ends. A swarm this process did not
// make is refused: it is someone else's.
func requireSwarm(t *testing.T) {
	t.Helper()
	requireEngine(t)
	requireHostPorts(t)
	swarmState.Lock()
	defer swarmState.Unlock()
	if state := engineSwarmState(); state != "inactive" {
		t.Fatalf("the engine's swarm state is %q; the stack tests only use a swarm they make themselves", state)
	}
	swarmState.hadGWBridge = exec.Command("docker", "network", "inspect", "docker_gwbridge").Run() == nil
	swarmState.ours = true // before init: a half-made swarm is left too
	if out, err := exec.Command("docker", "swarm", "init", "--advertise-addr", "127.0.0.1").CombinedOutput(); err != nil {
		leaveSwarmLocked()
		t.Fatalf("docker swarm init: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		leaveSwarm()
		if state := engineSwarmState(); state != "inactive" {
			t.Errorf("swarm state after leaving: %q", state)
		}
	})
}

func leaveSwarm() {
	swarmState.Lock()
	defer swarmState.Unlock()
	leaveSwarmLocked()
}

// leaveSwarmLocked leaves the swarm this process made, and removes the
// docker_gwbridge network swarm mode created (ingress goes with the swarm).
func leaveSwarmLocked() {
	if !swarmState.ours {
		return
	}
	swarmState.ours = false
	_ = exec.Command("docker", "swarm", "leave", "--force").Run()
	if swarmState.hadGWBridge {
		return
	}
	// The engine sets up and tears down its ingress sandbox on its own
	// time, and may create docker_gwbridge even after the leave: wait until
	// the ingress network is gone, then remove the bridge, detaching the
	// sandbox's gateway endpoint if it is still there. No event says when.
	for i := 0; i < 120; i++ {
		ingress := exec.Command("docker", "network", "inspect", "ingress").Run() == nil
		bridge := exec.Command("docker", "network", "inspect", "docker_gwbridge").Run() == nil
		if !ingress && !bridge && i >= 5 {
			return
		}
		if !ingress && bridge {
			_ = exec.Command("docker", "network", "disconnect", "--force", "docker_gwbridge", "gateway_ingress-sbox").Run()
			_ = exec.Command("docker", "network", "rm", "docker_gwbridge").Run()
		}
		time.Sleep(time.Second)
	}
}

// stackLabel selects a stack's objects.
func (p *project) stackLabel() string { return "label=com.docker.stack.namespace=" + p.name }

// cleanupStack removes what the stack left: services first (their tasks'
// containers go with them), then its containers, networks, secrets,
// configs and volumes, by the stack's label only.
func (p *project) cleanupStack() {
	run := func(args ...string) []string {
		out, _ := exec.Command("docker", args...).Output()
		return strings.Fields(string(out))
	}
	if ids := run("service", "ls", "-q", "--filter", p.stackLabel()); len(ids) > 0 {
		run(append([]string{"service", "rm"}, ids...)...)
	}
	if ids := run("ps", "-aq", "--filter", p.stackLabel()); len(ids) > 0 {
		run(append([]string{"rm", "-f", "-v"}, ids...)...)
	}
	for _, kind := range []string{"secret", "config"} {
		if ids := run(kind, "ls", "-q", "--filter", p.stackLabel()); len(ids) > 0 {
			run(append([]string{kind, "rm"}, ids...)...)
		}
	}
	for i := 0; i < 20; i++ {
		ids := run("network", "ls", "-q", "--filter", p.stackLabel())
		if len(ids) == 0 {
			break
		}
		run(append([]string{"network", "rm"}, ids...)...)
		time.Sleep(500 * time.Millisecond) // a network is freed when its last task's endpoint goes: no event says so
	}
	if ids := run("volume", "ls", "-q", "--filter", p.stackLabel()); len(ids) > 0 {
		run(append([]string{"volume", "rm", "-f"}, ids...)...)
	}
}

// newStack is newProject whose cleanup also removes the stack.
func newStack(t *testing.T, yaml string) *project {
	t.Helper()
	p := newProject(t, yaml)
	t.Cleanup(p.cleanupStack)
	return p
}

// versions maps the stack's services to their version index.
func (p *project) versions() map[string]string {
	p.t.Helper()
	out := map[string]string{}
	for _, line := range docker(p.t, "service", "ls", "--filter", p.stackLabel(), "--format", "{{.Name}}") {
		out[line] = strings.Join(docker(p.t, "service", "inspect", "--format", "{{.Version.Index}}", line), "")
	}
	return out
}

// running counts the service's tasks that run.
func (p *project) running(service string) int {
	p.t.Helper()
	n := 0
	for _, s := range docker(p.t, "service", "ps", "--filter", "desired-state=running", "--format", "{{.CurrentState}}", p.name+"_"+service) {
		if strings.HasPrefix(s, "Running") {
			n++
		}
	}
	return n
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

const stackYAML = `
services:
  a:
    image: %[1]s
    command: [sh, -c, "echo hello from a; exec sleep 3600"]
    init: true
    restart: unless-stopped
    environment: {X: "%[2]s"}
    secrets: [pw]
    volumes: [data:/data, ./conf:/conf]
  b:
    image: %[1]s
    command: [sleep, "3600"]
    init: true
    privileged: true
    depends_on: [a]
    deploy: {replicas: %[3]d}
%[4]s
secrets:
  pw: {environment: PW}
volumes:
  data: {}
`

// TestStack runs every stack test in one swarm-mode window.
func TestStack(t *testing.T) {
	requireSwarm(t)
	t.Run("Lifecycle", testStackLifecycle)
	t.Run("WaitFailure", testStackWaitFailure)
	t.Run("Visits", testStackVisits)
	t.Run("Generated10", testStackGenerated)
	t.Run("BuildAndPush", testStackBuildPush)
	t.Run("Preflight", testStackPreflight)
}

// TestStackNotManager: on an engine outside swarm mode, deploy says so
// and creates nothing.
func TestStackNotManager(t *testing.T) {
	requireEngine(t)
	if state := engineSwarmState(); state != "inactive" {
		t.Fatalf("swarm state %q, want inactive", state)
	}
	p := newProject(t, fmt.Sprintf("services: {a: {image: %s}}\n", testimages.Busybox))
	_, errOut, err := p.berth("stack", "deploy")
	if err == nil {
		t.Fatal("deploy to a non-manager succeeded")
	}
	mustContain(t, "not a manager", errOut, "this Docker Engine is not a swarm manager (swarm: inactive): run `docker swarm init`")
	if nets := docker(t, "network", "ls", "-q", "--filter", p.stackLabel()); len(nets) != 0 {
		t.Errorf("networks created: %v", nets)
	}
}

// testStackBuildPush: a service with build: and image: is built and
// pushed to the registry it names before the deploy; one whose registry
// cannot be reached is a warning on a one-node swarm.
func testStackBuildPush(t *testing.T) {
	r := startRegistry(t, false)
	p := newStack(t, fmt.Sprintf(`
services:
  app:
    build: .
    image: %s/berth-stack/app:1
    command: [sleep, "3600"]
    init: true
  local:
    build: .
    image: 127.0.0.1:9/berth-stack/nowhere:1
    command: [sleep, "3600"]
    init: true
`, r.Addr))
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM "+testimages.Busybox+"\nRUN echo built > /built\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", "-f", "127.0.0.1:9/berth-stack/nowhere:1").Run() })
	_, errOut := p.mustBerth("stack", "deploy", "--wait")
	mustContain(t, "build and push", errOut, "WARN service local: push 127.0.0.1:9/berth-stack/nowhere:1", "the local image serves this one-node swarm only")
	tags, err := r.Tags(t.Context(), "berth-stack/app")
	if err != nil || !slices.Contains(tags, "1") {
		t.Errorf("registry tags of berth-stack/app: %v %v", tags, err)
	}
	if p.running("app") != 1 || p.running("local") != 1 {
		t.Errorf("running: app %d, local %d", p.running("app"), p.running("local"))
	}
	p.mustBerth("stack", "rm")
}

// testStackPreflight: a port another stack publishes, or a placement no
// node satisfies, fails the deploy before anything is created.
func testStackPreflight(t *testing.T) {
	port := freePort(t)
	yaml := fmt.Sprintf("services:\n  web:\n    image: %s\n    command: [sleep, \"3600\"]\n    init: true\n    ports: [{target: 80, published: \"%d\", mode: host}]\n", testimages.Busybox, port)
	first := newStack(t, yaml)
	first.mustBerth("stack", "deploy")
	second := newStack(t, yaml)
	_, errOut, err := second.berth("stack", "deploy")
	if err == nil {
		t.Fatal("second deploy of a taken port succeeded")
	}
	mustContain(t, "port taken", errOut, fmt.Sprintf(`service "web": port %d/tcp is already published by service %s_web (stack %s)`, port, first.name, first.name))
	for _, kind := range []string{"service", "network", "secret"} {
		if ids := docker(t, kind, "ls", "-q", "--filter", second.stackLabel()); len(ids) != 0 {
			t.Errorf("%ss of the refused stack: %v", kind, ids)
		}
	}
	first.mustBerth("stack", "rm")

	nowhere := newStack(t, fmt.Sprintf("services:\n  a:\n    image: %s\n    deploy: {placement: {constraints: [node.labels.zone == nowhere]}}\n", testimages.Busybox))
	_, errOut, err = nowhere.berth("stack", "deploy")
	if err == nil {
		t.Fatal("deploy with an unsatisfiable placement succeeded")
	}
	mustContain(t, "placement", errOut, `service "a": no node satisfies the placement constraints node.labels.zone == nowhere`)
	if ids := docker(t, "network", "ls", "-q", "--filter", nowhere.stackLabel()); len(ids) != 0 {
		t.Errorf("networks of the refused stack: %v", ids)
	}
}

func testStackLifecycle(t *testing.T) {
	p := newStack(t, fmt.Sprintf(stackYAML, testimages.Busybox, "1", 1, ""))
	if err := os.Mkdir(filepath.Join(p.dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.env = append(p.env, "PW=one")

	out, errOut := p.mustBerth("stack", "deploy", "--wait")
	mustContain(t, "first deploy", errOut,
		"Creating network "+p.name+"_default (not found)",
		"Creating service "+p.name+"_a (not found)",
		"WARN service a: restart: unless-stopped becomes Swarm's restart condition any",
		"WARN service a: bind ", "is a path on each node",
		"WARN service b: Swarm cannot express privileged; these keys are ignored",
		"WARN depends_on orders this deploy only",
		"Stack "+p.name+"  Running")
	_ = out
	logs, _ := p.mustBerth("stack", "logs", p.name, "a")
	mustContain(t, "stack logs", logs, "a  | hello from a")
	// The docker CLI sees berth's stack.
	ps := strings.Join(docker(t, "stack", "ps", p.name, "--format", "{{.Name}}:{{.DesiredState}}"), "\n")
	mustContain(t, "docker stack ps", ps, p.name+"_a.1:Running", p.name+"_b.1:Running")
	before := p.versions()

	// Nothing changed: no update call, no version moves.
	_, errOut = p.mustBerth("stack", "deploy", "--wait")
	if strings.Contains(errOut, "Updating") || strings.Contains(errOut, "Creating") {
		t.Errorf("redeploy changed something:\n%s", errOut)
	}
	if after := p.versions(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("versions moved on a no-op redeploy: %v → %v", before, after)
	}

	// A changed environment rolls only that service.
	p.write(fmt.Sprintf(stackYAML, testimages.Busybox, "2", 1, ""))
	_, errOut = p.mustBerth("stack", "deploy", "--wait")
	mustContain(t, "env change", errOut, "Updating service "+p.name+"_a (config changed: environment.X)")
	after := p.versions()
	if after[p.name+"_a"] == before[p.name+"_a"] || after[p.name+"_b"] != before[p.name+"_b"] {
		t.Errorf("env change: versions %v → %v, want only _a to move", before, after)
	}

	// Scale through replicas.
	p.write(fmt.Sprintf(stackYAML, testimages.Busybox, "2", 2, ""))
	_, errOut = p.mustBerth("stack", "deploy", "--wait")
	mustContain(t, "scale", errOut, "Updating service "+p.name+"_b (config changed: deploy.replicas)")
	if n := p.running("b"); n != 2 {
		t.Errorf("b runs %d tasks, want 2", n)
	}

	// A new secret value is a new secret; the service rolls onto it and
	// the old one goes.
	oldSecrets := docker(t, "secret", "ls", "-q", "--filter", p.stackLabel())
	p.env = append(p.env, "PW=two")
	_, errOut = p.mustBerth("stack", "deploy", "--wait")
	mustContain(t, "secret change", errOut, "(content changed)", "Updating service "+p.name+"_a (config changed: secrets)", "Removing secret")
	if now := docker(t, "secret", "ls", "-q", "--filter", p.stackLabel()); len(now) != 1 || now[0] == oldSecrets[0] {
		t.Errorf("secrets %v → %v, want one new", oldSecrets, now)
	}

	// A service dropped from the file stays until --prune.
	p.write(strings.Replace(fmt.Sprintf(stackYAML, testimages.Busybox, "2", 2, ""), "  b:\n", "  c:\n", 1))
	_, errOut = p.mustBerth("stack", "deploy", "--wait")
	mustContain(t, "without --prune", errOut, "service "+p.name+"_b is not in the file; --prune removes it")
	_, errOut = p.mustBerth("stack", "deploy", "--prune", "--wait")
	mustContain(t, "--prune", errOut, "Removing service "+p.name+"_b (not in the file (--prune))")
	if v := p.versions(); len(v) != 2 || v[p.name+"_b"] != "" {
		t.Errorf("services after --prune: %v", v)
	}

	// rm takes everything but the volume.
	p.mustBerth("stack", "rm")
	for _, kind := range []string{"service", "network", "secret", "config"} {
		if ids := docker(t, kind, "ls", "-q", "--filter", p.stackLabel()); len(ids) != 0 {
			t.Errorf("%ss after stack rm: %v", kind, ids)
		}
	}
	if vols := docker(t, "volume", "ls", "-q", "--filter", p.stackLabel()); len(vols) != 1 || vols[0] != p.name+"_data" {
		t.Errorf("volumes after stack rm: %v, want %s_data", vols, p.name)
	}
}

func testStackWaitFailure(t *testing.T) {
	p := newStack(t, fmt.Sprintf(`
services:
  bad:
    image: %s
    command: [sh, -c, "echo going down; exit 3"]
`, testimages.Busybox))
	start := time.Now()
	_, errOut, err := p.berth("stack", "deploy", "--wait", "--wait-timeout", "2m")
	if err == nil {
		t.Fatalf("deploy --wait of a crashing task succeeded:\n%s", errOut)
	}
	// The manager's words, or this node's die event when it came first.
	mustContain(t, "--wait failure", errOut, "task "+p.name+"_bad.1 (")
	if !strings.Contains(errOut, "failed: task: non-zero exit (3)") && !strings.Contains(errOut, "failed: its container exited with code 3") {
		t.Errorf("--wait failure names no exit code 3:\n%s", errOut)
	}
	t.Logf("--wait failed after %v", time.Since(start).Round(time.Millisecond))
	p.mustBerth("stack", "rm")
}

func testStackVisits(t *testing.T) {
	v := newVisitsApp(t)
	t.Cleanup(v.p.cleanupStack)
	port := strings.TrimPrefix(v.url[strings.LastIndex(v.url, ":"):], ":")
	port = strings.TrimSuffix(port, "/")
	// Swarm's ingress and its virtual IPs need IPVS, which this kernel
	// lacks: the override publishes the same port in host mode and has
	// redis found by DNS round robin.
	override := fmt.Sprintf("services:\n  node-app:\n    ports: !override\n      - {target: 8081, published: \"%s\", mode: host}\n"+
		"  redis-server:\n    deploy: {endpoint_mode: dnsrr}\n", port)
	if err := os.WriteFile(filepath.Join(v.p.dir, "compose.swarm.yaml"), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{"-f", "compose.yaml", "-f", "compose.swarm.yaml"}
	start := time.Now()
	_, errOut := v.p.mustBerth(append(files, "stack", "deploy", "--wait")...)
	t.Logf("visits stack deploy --wait (build included): %v", time.Since(start).Round(time.Millisecond))
	mustContain(t, "visits deploy", errOut,
		"Waiting for healthy tasks of "+v.p.name+"_redis-server", "Service "+v.p.name+"_redis-server  Healthy",
		"is built on this node only")
	for want := 1; want <= 3; want++ {
		v.expect(want)
	}
	// The warning for the file as is: its short port syntax uses ingress.
	_, errOut = v.p.mustBerth("stack", "deploy", "--dry-run")
	mustContain(t, "ingress warning", errOut, "publish ports through Swarm's ingress routing mesh, which needs IPVS", "mode: host",
		"virtual IP (endpoint_mode: vip, the default), which needs IPVS", "endpoint_mode: dnsrr")

	v.p.mustBerth("stack", "rm", v.p.name)
	if vols := docker(t, "volume", "ls", "-q", "--filter", v.p.stackLabel()); len(vols) != 1 {
		t.Errorf("volumes after stack rm: %v, want the redis data", vols)
	}
}

func testStackGenerated(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "  s%d:\n    image: %s\n    command: [sleep, \"3600\"]\n    init: true\n    environment: {N: \"%d\"}\n", i, testimages.Busybox, i)
		if i > 0 {
			fmt.Fprintf(&b, "    depends_on: [s%d]\n", i-1)
		}
		if i%2 == 1 {
			b.WriteString("    networks: [default, back]\n")
		}
	}
	b.WriteString("networks:\n  back: {}\n")
	p := newStack(t, b.String())
	start := time.Now()
	p.mustBerth("stack", "deploy", "--wait")
	t.Logf("10 services: deploy --wait %v", time.Since(start).Round(time.Millisecond))
	for i := 0; i < 10; i++ {
		if n := p.running("s" + strconv.Itoa(i)); n != 1 {
			t.Errorf("s%d runs %d tasks", i, n)
		}
	}
	ls, _ := p.mustBerth("stack", "ls")
	mustContain(t, "stack ls", ls, p.name+"   10")
	if services, _ := p.mustBerth("stack", "services"); strings.Count(services, " 1/1 ") != 10 {
		t.Errorf("stack services:\n%s", services)
	}
	before := p.versions()
	start = time.Now()
	out, _ := p.mustBerth("stack", "deploy", "--dry-run")
	if strings.TrimSpace(out) != "" {
		t.Errorf("converged stack plans:\n%s", out)
	}
	p.mustBerth("stack", "deploy", "--wait")
	t.Logf("10 services: no-op redeploy %v", time.Since(start).Round(time.Millisecond))
	if after := p.versions(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("versions moved: %v → %v", before, after)
	}
	start = time.Now()
	p.mustBerth("stack", "rm")
	t.Logf("10 services: rm %v", time.Since(start).Round(time.Millisecond))
	if ids := docker(t, "service", "ls", "-q", "--filter", p.stackLabel()); len(ids) != 0 {
		t.Errorf("services after rm: %v", ids)
	}
}
