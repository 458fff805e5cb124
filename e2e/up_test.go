package e2e

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// busybox services stop on SIGKILL: busybox as PID 1 ignores SIGTERM, and
// waiting out the grace period would only slow the tests down.
const upPsDown = `
services:
  db:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    volumes: [data:/data]
  web:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    environment: {FOO: "1"}
    depends_on: [db]
volumes:
  data: {}
`

func TestUpPsDown(t *testing.T) {
	p := newProject(t, upPsDown)
	_, stderr := p.mustBerth("up", "-d")
	for _, want := range []string{"Network " + p.name + "_default Created", "Container " + p.name + "-web-1 Started"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("up output lacks %q:\n%s", want, stderr)
		}
	}
	out, _ := p.mustBerth("ps")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(out, p.name+"-db-1") || !strings.Contains(out, "Up ") {
		t.Errorf("ps:\n%s", out)
	}
	if out, _ := p.mustBerth("ps", "--services"); out != "db\nweb\n" {
		t.Errorf("ps --services: %q", out)
	}
	p.mustBerth("down")
	if cs := p.containers(); len(cs) != 0 {
		t.Errorf("containers left: %v", cs)
	}
	if nets := docker(t, "network", "ls", "-q", "--filter", p.label()); len(nets) != 0 {
		t.Errorf("networks left: %v", nets)
	}
	// Volumes survive down without -v, and go with it.
	if vols := docker(t, "volume", "ls", "-q", "--filter", p.label()); len(vols) != 1 {
		t.Errorf("volumes after down: %v", vols)
	}
	p.mustBerth("down", "-v")
	if vols := docker(t, "volume", "ls", "-q", "--filter", p.label()); len(vols) != 0 {
		t.Errorf("volumes after down -v: %v", vols)
	}
}

func TestWarmUpChangesNothing(t *testing.T) {
	p := newProject(t, upPsDown)
	p.mustBerth("up", "-d")
	before := p.id(p.name + "-web-1")
	_, stderr := p.mustBerth("up", "-d")
	if strings.Contains(stderr, "Created") || strings.Contains(stderr, "Started") || !strings.Contains(stderr, "Running") {
		t.Errorf("warm up output:\n%s", stderr)
	}
	if p.id(p.name+"-web-1") != before {
		t.Error("warm up replaced web")
	}
}

func TestConfigChangeRecreatesOneService(t *testing.T) {
	p := newProject(t, upPsDown)
	p.mustBerth("up", "-d")
	db, web := p.id(p.name+"-db-1"), p.id(p.name+"-web-1")
	p.write(strings.Replace(upPsDown, `FOO: "1"`, `FOO: "2"`, 1))
	plan, _ := p.mustBerth("--dry-run", "up", "-d")
	if !strings.Contains(plan, "rename "+p.name+"-web-1 from ") || !strings.Contains(plan, "(config changed: environment.FOO)") {
		t.Errorf("dry-run plan:\n%s", plan)
	}
	if p.id(p.name+"-web-1") != web {
		t.Error("--dry-run changed something")
	}
	_, stderr := p.mustBerth("up", "-d")
	if !strings.Contains(stderr, "Container "+p.name+"-web-1 Recreated (config changed: environment.FOO)") {
		t.Errorf("up output:\n%s", stderr)
	}
	if p.id(p.name+"-db-1") != db || p.id(p.name+"-web-1") == web {
		t.Error("want web replaced and db kept")
	}
}

// TestRefusedRecreateKeepsServiceRunning: a change the engine refuses at
// create (a memory limit below its minimum) leaves the running container
// running and untouched, fails with the engine's reason, and the next good
// up converges.
func TestRefusedRecreateKeepsServiceRunning(t *testing.T) {
	p := newProject(t, upPsDown)
	p.mustBerth("up", "-d")
	web := p.id(p.name + "-web-1")
	p.write(strings.Replace(upPsDown, `environment: {FOO: "1"}`, `environment: {FOO: "2"}
    mem_limit: 1k`, 1))
	_, stderr, err := p.berth("up", "-d")
	if err == nil || !strings.Contains(stderr, "Minimum memory limit") {
		t.Fatalf("up with mem_limit 1k: err %v, output:\n%s\nwant a failure with the engine's reason", err, stderr)
	}
	if got := p.containers(); len(got) != 2 || got[p.name+"-web-1"] != "running" {
		t.Errorf("after a refused recreate: %v, want db and the old web running, nothing else", got)
	}
	if p.id(p.name+"-web-1") != web {
		t.Error("a refused recreate replaced web")
	}
	p.write(strings.Replace(upPsDown, `FOO: "1"`, `FOO: "2"`, 1))
	p.mustBerth("up", "-d")
	if got := p.containers(); len(got) != 2 || got[p.name+"-web-1"] != "running" || p.id(p.name+"-web-1") == web {
		t.Errorf("after a good up: %v, want a new web running", got)
	}
}

// freePort is a host port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestPortInUseFailsThenConverges(t *testing.T) {
	requireHostPorts(t)
	port := freePort(t)
	l, err := net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := newProject(t, fmt.Sprintf(`
services:
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, ports: ["%d:80"]}
  api: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL}
`, port))
	_, stderr, err := p.berth("up", "-d")
	if err == nil {
		t.Fatalf("up succeeded with port %d taken:\n%s", port, stderr)
	}
	if !strings.Contains(stderr, `service "web"`) || !strings.Contains(stderr, fmt.Sprint(port)) {
		t.Errorf("error does not name service and port:\n%s", stderr)
	}
	if st := p.containers()[p.name+"-api-1"]; st != "running" {
		t.Errorf("api is %q", st)
	}
	l.Close()
	p.mustBerth("up", "-d")
	if st := p.containers()[p.name+"-web-1"]; st != "running" {
		t.Errorf("web is %q after the port was freed", st)
	}
}

func TestManyPortPublishingServices(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range 8 {
		fmt.Fprintf(&b, "  s%d: {image: berth-test/busybox:latest, command: [sleep, \"3600\"], stop_signal: SIGKILL, ports: [\"%d:80\"]}\n", i, freePort(t))
	}
	p := newProject(t, b.String())
	p.mustBerth("up", "-d")
	cs := p.containers()
	for i := range 8 {
		if st := cs[fmt.Sprintf("%s-s%d-1", p.name, i)]; st != "running" {
			t.Errorf("s%d is %q", i, st)
		}
	}
}

func TestConcurrentUpOneContainerPerReplica(t *testing.T) {
	p := newProject(t, `
services:
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL, scale: 2}
  db: {image: berth-test/busybox:latest, command: [sleep, "3600"], stop_signal: SIGKILL}
`)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, stderr, err := p.berth("up", "-d"); err != nil {
				t.Errorf("up: %v\n%s", err, stderr)
			}
		})
	}
	wg.Wait()
	cs := p.containers()
	if len(cs) != 3 {
		t.Errorf("containers: %v", cs)
	}
	for name, st := range cs {
		if st != "running" {
			t.Errorf("%s is %s", name, st)
		}
	}
}

// slowDB turns healthy only once /tmp/ready exists in it; web waits for
// that.
const slowDB = `
services:
  db:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: [CMD, test, -f, /tmp/ready], interval: 1s, retries: 1000}
  web:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    depends_on: {db: {condition: service_healthy}}
`

func TestCtrlCDuringUpThenConverge(t *testing.T) {
	p := newProject(t, slowDB)
	r := p.background("up", "-d")
	r.waitLine(regexp.QuoteMeta("Container " + p.name + "-db-1 Started"))
	r.signal(os.Interrupt)
	if code := r.wait(10 * time.Second); code != 130 {
		t.Errorf("exit code %d after Ctrl-C, want 130", code)
	}
	docker(t, "exec", p.name+"-db-1", "touch", "/tmp/ready")
	p.mustBerth("up", "-d")
	cs := p.containers()
	if len(cs) != 2 || cs[p.name+"-db-1"] != "running" || cs[p.name+"-web-1"] != "running" {
		t.Errorf("containers after converge: %v", cs)
	}
	if nets := p.networks(); len(nets) != 1 {
		t.Errorf("networks after converge: %v", nets)
	}
}

func TestBadInputCreatesNothing(t *testing.T) {
	cases := map[string]string{
		"external network": `
services:
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"], networks: [outside]}
  api: {image: berth-test/busybox:latest, command: [sleep, "3600"]}
networks: {outside: {external: true, name: berth-test-no-such-net}}
`,
		"missing image": `
services:
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"]}
  api: {image: berth-test/no-such-image:latest, pull_policy: never}
`,
		"secret file": `
services:
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"], secrets: [token]}
secrets: {token: {file: ./no-such-token}}
`,
		"port twice": `
services:
  web: {image: berth-test/busybox:latest, command: [sleep, "3600"], ports: ["18080:80"]}
  api: {image: berth-test/busybox:latest, command: [sleep, "3600"], ports: ["18080:80"]}
`,
	}
	wants := map[string]string{
		"external network": "network berth-test-no-such-net declared as external, but could not be found",
		"missing image":    `service "api": image "berth-test/no-such-image:latest" not found locally`,
		"secret file":      `service "web": secret "token": file `,
		"port twice":       `host port 0.0.0.0:18080/tcp is already published by service`,
	}
	for name, yaml := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProject(t, yaml)
			_, stderr, err := p.berth("up", "-d")
			if err == nil || !strings.Contains(stderr, wants[name]) {
				t.Errorf("up: %v, want %q in:\n%s", err, wants[name], stderr)
			}
			if cs, nets := p.containers(), p.networks(); len(cs) != 0 || len(nets) != 0 {
				t.Errorf("created containers %v networks %v", cs, nets)
			}
		})
	}
}

func TestSecretsFromEnvironmentAndContent(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    environment: {TOKEN: unused}
    secrets: [token]
    configs: [{source: conf, target: /etc/app/app.conf}]
secrets:
  token: {environment: BERTH_E2E_TOKEN}
configs:
  conf: {content: "port=80"}
`)
	t.Setenv("BERTH_E2E_TOKEN", "s3cret")
	p.mustBerth("up", "-d")
	got := strings.Join(docker(t, "exec", p.name+"-web-1", "cat", "/run/secrets/token", "/etc/app/app.conf"), " ")
	if got != "s3cretport=80" {
		t.Errorf("files read %q", got)
	}
}

// TestUpAttachedStreams: attached up says which containers it attaches to
// and relays each container stream to its own.
func TestUpAttachedStreams(t *testing.T) {
	p := newProject(t, `
services:
  talk:
    image: berth-test/busybox:latest
    command: sh -c 'echo to-stdout; echo to-stderr >&2'
`)
	stdout, stderr := p.mustBerth("up")
	if !strings.HasPrefix(stdout, "Attaching to talk-1\n") || !strings.Contains(stdout, "talk-1  | to-stdout") || strings.Contains(stdout, "to-stderr") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "talk-1  | to-stderr") || !strings.Contains(stderr, "Container "+p.name+"-talk-1 Started") {
		t.Errorf("stderr:\n%s", stderr)
	}
}
