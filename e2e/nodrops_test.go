package e2e

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Compose keys berth once dropped without a word reach the engine, and
// those the engine cannot take are named on up.
func TestNoSilentDrops(t *testing.T) {
	var b [1]byte
	_, _ = rand.Read(b[:])
	p := newProject(t, fmt.Sprintf(`
services:
  app:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    cgroup: host
    cpu_count: 1
    security_opt: ["seccomp=profile.json"]
    volumes: ["./shared:/shared:z"]
    networks: [net]
  off:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    network_mode: disabled
networks:
  net:
    ipam:
      options: {berth.test: "yes"}
      config: [{subnet: 10.217.%d.0/24, aux_addresses: {reserved: 10.217.%d.5}}]
`, b[0], b[0]))
	if err := os.WriteFile(filepath.Join(p.dir, "profile.json"), []byte("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(p.dir, "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr := p.mustBerth("up", "-d")
	if !strings.Contains(stderr, "services.app.cpu_count: not applied by berth yet, ignored (Windows only)") {
		t.Errorf("cpu_count is not named:\n%s", stderr)
	}
	app := p.id(p.name + "-app-1")
	host := strings.Join(docker(t, "inspect", "-f", "{{.HostConfig.CgroupnsMode}} {{json .HostConfig.Binds}} {{json .HostConfig.SecurityOpt}}", app), " ")
	for _, want := range []string{"host ", `:/shared:z"`, `seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}`} {
		if !strings.Contains(host, want) {
			t.Errorf("app's host config %s lacks %s", host, want)
		}
	}
	if got := docker(t, "inspect", "-f", "{{.HostConfig.NetworkMode}}", p.id(p.name+"-off-1")); strings.Join(got, " ") != "none" {
		t.Errorf("network_mode disabled: got %v, want none", got)
	}
	ipam := strings.Join(docker(t, "network", "inspect", "-f", "{{json .IPAM}}", p.name+"_net"), " ")
	for _, want := range []string{`"berth.test":"yes"`, fmt.Sprintf(`"reserved":"10.217.%d.5"`, b[0])} {
		if !strings.Contains(ipam, want) {
			t.Errorf("network IPAM %s lacks %s", ipam, want)
		}
	}
}

// A seccomp profile file that is not there fails up before anything is
// created, naming the service.
func TestSeccompProfileMissingRefused(t *testing.T) {
	p := newProject(t, `
services:
  app:
    image: berth-test/busybox
    security_opt: ["seccomp=missing.json"]
`)
	_, stderr, err := p.berth("up", "-d")
	if err == nil || !strings.Contains(stderr, `service "app": security_opt seccomp=missing.json`) {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	if c := p.containers(); len(c) != 0 {
		t.Errorf("containers created: %v", c)
	}
}

// The build keys berth cannot apply are named whichever command builds:
// up, create and run --build. run --build builds an image that is not
// there yet rather than pulling it.
func TestBuildKeyWarningsOnEveryBuild(t *testing.T) {
	p := newProject(t, "")
	p.write(fmt.Sprintf(`
services:
  app:
    image: %s-img
    build: {context: ., entitlements: [network.host]}
    command: ["true"]
`, p.name))
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM berth-test/busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = `service "app": build.entitlements needs entitlements`
	for _, args := range [][]string{{"run", "--build", "--rm", "app"}, {"create", "--build"}, {"up", "-d", "--build"}} {
		_, stderr := p.mustBerth(args...)
		if !strings.Contains(stderr, want) {
			t.Errorf("%s: no warning naming build.entitlements:\n%s", strings.Join(args, " "), stderr)
		}
		if strings.Contains(stderr, "Pulling") {
			t.Errorf("%s pulls an image it builds:\n%s", strings.Join(args, " "), stderr)
		}
	}
}

// The proxies of the docker CLI's config.json (DOCKER_CONFIG) reach the
// service containers, one-offs and build args; the service's own
// environment wins.
func TestProxiesFromDockerConfig(t *testing.T) {
	p := newProject(t, "")
	p.write(fmt.Sprintf(`
services:
  app:
    image: %s-img
    build: .
    command: ["sleep", "3600"]
    environment: {HTTPS_PROXY: "http://own:1"}
`, p.name))
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM berth-test/busybox\nARG HTTP_PROXY\nRUN echo \"$HTTP_PROXY\" > /built-with\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"proxies": {"default": {"httpProxy": "http://proxy.invalid:3128", "httpsProxy": "http://proxy.invalid:3129", "noProxy": "localhost"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p.env = append(p.env, "DOCKER_CONFIG="+cfg)
	p.mustBerth("up", "-d", "--build")
	env := strings.Join(docker(t, "inspect", "-f", "{{json .Config.Env}}", p.id(p.name+"-app-1")), " ")
	for _, want := range []string{`"HTTP_PROXY=http://proxy.invalid:3128"`, `"http_proxy=http://proxy.invalid:3128"`, `"no_proxy=localhost"`, `"HTTPS_PROXY=http://own:1"`, `"https_proxy=http://proxy.invalid:3129"`} {
		if !strings.Contains(env, want) {
			t.Errorf("app's environment %s lacks %s", env, want)
		}
	}
	if strings.Contains(env, "HTTPS_PROXY=http://proxy.invalid") {
		t.Errorf("the proxy overrides the service's own HTTPS_PROXY: %s", env)
	}
	out, _ := p.mustBerth("run", "--rm", "-e", "NO_PROXY=mine", "app", "sh", "-c", `echo "$http_proxy $NO_PROXY $(cat /built-with)"`)
	if got, want := strings.TrimSpace(out), "http://proxy.invalid:3128 mine http://proxy.invalid:3128"; !strings.Contains(got, want) {
		t.Errorf("one-off: got %q, want %q", got, want)
	}
}

// interface_name needs API 1.49: an older engine refuses the project
// before anything is created, naming service and key.
func TestInterfaceNameGated(t *testing.T) {
	wantRefusedBeforeCreate(t, "1.49", "interface_name", `
services:
  app:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    networks: {default: {interface_name: eth7}}
`, `service "app": networks.default.interface_name needs Docker Engine 28.1 or later`)
}

// enable_ipv4: false needs API 1.48: an older engine refuses the project
// before anything is created, naming the network.
func TestEnableIPv4Gated(t *testing.T) {
	wantRefusedBeforeCreate(t, "1.48", "enable_ipv4", `
services:
  app:
    image: berth-test/busybox
    command: ["sleep", "3600"]
    networks: [v6]
networks:
  v6: {enable_ipv4: false, enable_ipv6: true}
`, `network "v6": enable_ipv4: false needs Docker Engine 28.0 or later`)
}

// wantRefusedBeforeCreate runs up on yaml, which uses a feature of API
// minAPI, and wants an engine older than that (a newer one skips t) to
// refuse it with wantErr before any container or network is created.
func wantRefusedBeforeCreate(t *testing.T, minAPI, feature, yaml, wantErr string) {
	t.Helper()
	requireEngine(t)
	if api := serverAPI(t); apiAtLeast(api, minAPI) {
		t.Skipf("gate: this engine speaks %s, which has %s", api, feature)
	}
	p := newProject(t, yaml)
	_, stderr, err := p.berth("up", "-d")
	if err == nil || !strings.Contains(stderr, wantErr) {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	if c := p.containers(); len(c) != 0 {
		t.Errorf("containers created: %v", c)
	}
	if n := p.networks(); len(n) != 0 {
		t.Errorf("networks created: %v", n)
	}
}
