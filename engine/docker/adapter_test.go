package docker_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/docker"
	"berth/imagebuild"
	"berth/network"
	"berth/project"
)

// The cases here cover what is particular to the Docker adapter; the
// behaviour every engine shares is in enginetest.

const busybox = "berth-test/busybox:latest"

// fixture is one test's engine and project, cleaned up even on failure.
type fixture struct {
	eng     *docker.Engine
	project string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{eng: newTestEngine(t), project: "berth-test-" + randomHex(4)}
	t.Cleanup(func() { f.cleanup(t) })
	return f
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

func (f *fixture) cleanup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, _ := f.eng.ListContainers(ctx, engine.ContainerFilter{Project: f.project})
	for _, c := range cs {
		if err := f.eng.RemoveContainer(ctx, c.ID, engine.RemoveOptions{Force: true, Volumes: true}); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	nets, _ := f.eng.ListNetworks(ctx, f.project)
	for _, n := range nets {
		if err := f.eng.RemoveNetwork(ctx, n.ID); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	vols, _ := f.eng.ListVolumes(ctx, f.project)
	for _, v := range vols {
		if err := f.eng.RemoveVolume(ctx, v.Name); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}

func (f *fixture) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// spec is service svc running cmd in busybox.
func (f *fixture) spec(svc string, cmd ...string) engine.ContainerSpec {
	return engine.ContainerSpec{
		Name:    f.project + "-" + svc + "-1",
		Image:   busybox,
		Labels:  map[string]string{project.LabelProject: f.project, project.LabelService: svc, project.LabelOneOff: "False"},
		Command: cmd,
	}
}

func (f *fixture) network(t *testing.T, name, subnet string) string {
	spec := network.Spec{Name: f.project + "_" + name, Labels: map[string]string{project.LabelProject: f.project}}
	if subnet != "" {
		spec.IPAM.Configs = []network.IPAMConfig{{Subnet: subnet}}
	}
	if _, err := f.eng.CreateNetwork(f.ctx(t), spec); err != nil {
		t.Fatal(err)
	}
	return spec.Name
}

// run creates, starts and waits for the container; it returns the exit
// code and everything it wrote.
func (f *fixture) run(t *testing.T, spec engine.ContainerSpec) (int, string) {
	t.Helper()
	ctx := f.ctx(t)
	id, err := f.eng.CreateContainer(ctx, spec)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	codes, errs := f.eng.WaitContainer(ctx, id)
	if err := f.eng.StartContainer(ctx, id); err != nil {
		t.Fatalf("start: %v", err)
	}
	var code int
	select {
	case code = <-codes:
	case err := <-errs:
		t.Fatalf("wait: %v", err)
	}
	s, err := f.eng.Logs(ctx, id, engine.LogOptions{})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	defer s.Close()
	var out, errOut []byte
	var wg sync.WaitGroup
	wg.Go(func() { errOut, _ = io.ReadAll(s.Stderr) })
	out, _ = io.ReadAll(s.Stdout)
	wg.Wait()
	return code, string(out) + string(errOut)
}

// On API 1.41 the container is created on one network and connected to the
// others before CreateContainer returns: inspect sees every network before
// start, and aliases and fixed addresses work on each.
func TestCreateOnSeveralNetworks(t *testing.T) {
	f := newFixture(t)
	var b [1]byte
	_, _ = rand.Read(b[:])
	// A random /24 outside the engine's default address pools (172.17-31/16
	// and 192.168/16), so no network the engine sizes for another test can
	// overlap it; 10.213/16 is routed nowhere on the test machines.
	subnet := fmt.Sprintf("10.213.%d.0/24", b[0])
	front, back, admin := f.network(t, "front", ""), f.network(t, "back", subnet), f.network(t, "admin", "")
	fixedIP := fmt.Sprintf("10.213.%d.10", b[0])
	api := f.spec("api", "sleep", "3600")
	api.Networks = []network.Endpoint{
		{Network: front, Aliases: []string{"api-front"}},
		{Network: back, Aliases: []string{"api-back"}, IPv4Address: fixedIP},
		{Network: admin, Aliases: []string{"api-admin"}},
	}
	ctx := f.ctx(t)
	id, err := f.eng.CreateContainer(ctx, api)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	c, err := f.eng.InspectContainer(ctx, id)
	if err != nil || strings.Join(c.Networks, ",") != strings.Join([]string{admin, back, front}, ",") {
		t.Fatalf("networks before start: %v %v", c.Networks, err)
	}
	if err := f.eng.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	probe := f.spec("probe", "sh", "-c", "ping -c1 -W3 api-back && ping -c1 -W3 "+fixedIP)
	probe.Networks = []network.Endpoint{{Network: back}}
	if code, out := f.run(t, probe); code != 0 {
		t.Errorf("alias and fixed address on the connected network: exit %d\n%s", code, out)
	}
}

// A spec using most of the translation runs on the real engine as written.
func TestRichSpecRuns(t *testing.T) {
	f := newFixture(t)
	hostDir := filepath.Join(t.TempDir(), "not", "yet")
	spec := f.spec("rich", "sh", "-c", `set -e; echo "foo=$FOO"; grep myhost /etc/hosts; ulimit -n; echo "gid=$(id -g)"; pwd; echo written > /bind/out; touch /tmpfs/x; echo tmpfs-ok`)
	spec.Environment = []string{"FOO=bar"}
	spec.Mounts = []engine.Mount{
		{Type: "bind", Source: hostDir, Target: "/bind", CreateHostPath: true},
		{Type: "tmpfs", Target: "/tmpfs", TmpfsSize: 1 << 20},
	}
	spec.WorkingDir, spec.User = "/tmp", "0:1234"
	spec.Resources.Ulimits = []engine.Ulimit{{Name: "nofile", Soft: 1000, Hard: 2000}}
	spec.Resources.Memory = 64 << 20
	spec.ExtraHosts = []string{"myhost:10.9.8.7"}
	spec.Init = new(bool)
	*spec.Init = true
	spec.CapDrop = []string{"NET_RAW"}
	spec.Logging = engine.LogConfig{Driver: "json-file", Options: map[string]string{"max-size": "1m"}}
	spec.Ports = []engine.PortBinding{{Target: 80, HostIP: "127.0.0.1", Protocol: "tcp"}}
	code, out := f.run(t, spec)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"foo=bar", "10.9.8.7", "1000", "gid=1234", "/tmp", "tmpfs-ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(hostDir, "out")); err != nil || string(b) != "written\n" {
		t.Errorf("bind mount on a created host path: %q %v", b, err)
	}
}

func TestPublishedPortIsReported(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("web", "sleep", "3600")
	spec.Ports = []engine.PortBinding{{Target: 80, HostIP: "127.0.0.1", Protocol: "tcp"}}
	ctx := f.ctx(t)
	id, err := f.eng.CreateContainer(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	c, err := f.eng.InspectContainer(ctx, id)
	if err != nil || len(c.Ports) != 1 || c.Ports[0].HostPort == 0 || c.Ports[0].HostIP != "127.0.0.1" || c.Ports[0].ContainerPort != 80 {
		t.Errorf("ports %+v %v, want 127.0.0.1:<random>->80/tcp", c.Ports, err)
	}
	if !strings.HasPrefix(c.Status, "Up ") {
		t.Errorf("status %q", c.Status)
	}
}

// The classic builder's words (its "Step 1/2" lines, "returned a non-zero
// code") reach the error; BuildKit's are e2e/buildkit_test.go's.
func TestBuildFailureKeepsEngineWords(t *testing.T) {
	f := newFixture(t)
	ref := "berth-test/adapter-" + randomHex(4) + ":latest"
	req := imagebuild.Request{Service: "web", Tags: []string{ref}, Classic: true,
		Context: tarOf(t, map[string]string{"Dockerfile": "FROM " + busybox + "\nRUN exit 3\n"})}
	var lines []string
	_, err := f.eng.BuildImage(f.ctx(t), req, func(m imagebuild.Message) {
		if m.Line != "" {
			lines = append(lines, m.Line)
		}
	})
	if err == nil || !strings.Contains(err.Error(), "returned a non-zero code: 3") || !strings.Contains(err.Error(), `build "`+ref+`"`) {
		t.Errorf("got %v", err)
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "Step 1/2") {
		t.Errorf("output %q", lines)
	}
	if _, err := f.eng.InspectImage(f.ctx(t), ref); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("failed build left %q: %v", ref, err)
	}
}

func tarOf(t *testing.T, files map[string]string) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// Cancelling the context ends waits and event streams: the wait with the
// context's error, the stream by closing its channels.
func TestContextCancellation(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx(t)
	id, err := f.eng.CreateContainer(ctx, f.spec("sleeper", "sleep", "3600"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	codes, errs := f.eng.WaitContainer(wctx, id)
	evs, evErrs := f.eng.Events(wctx, engine.EventFilter{Project: f.project})
	cancel()
	select {
	case c := <-codes:
		t.Fatalf("wait returned exit %d for a running container", c)
	case err := <-errs:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("wait: got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("wait ignored the cancelled context")
	}
	for range evs {
	}
	if err, ok := <-evErrs; ok {
		t.Errorf("events after cancel: %v", err)
	}
	if _, err := f.eng.InspectContainer(wctx, id); !errors.Is(err, context.Canceled) {
		t.Errorf("inspect with a cancelled context: %v", err)
	}
}

func TestNegotiatedVersion(t *testing.T) {
	e := newTestEngine(t)
	if e.APIVersion() == "" || e.Endpoint().Host == "" {
		t.Errorf("version %q, endpoint %+v", e.APIVersion(), e.Endpoint())
	}
}

// Engine 20.10 reads mac_address only from the container config, which the
// adapter sends itself; errors on that path map like any other.
func TestMacAddress(t *testing.T) {
	f := newFixture(t)
	net := f.network(t, "default", "")
	spec := f.spec("mac", "cat", "/sys/class/net/eth0/address")
	spec.MacAddress = "02:42:ac:11:00:99"
	spec.Networks = []network.Endpoint{{Network: net, MacAddress: spec.MacAddress}}
	code, out := f.run(t, spec)
	if code != 0 || strings.TrimSpace(out) != "02:42:ac:11:00:99" {
		t.Errorf("exit %d, address %q", code, out)
	}
	if _, err := f.eng.CreateContainer(f.ctx(t), spec); !errors.Is(err, engine.ErrExists) {
		t.Errorf("second create: got %v, want ErrExists", err)
	}
}
