package enginetest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/network"
)

// The gated features (engine.Feature): each case runs on an engine whose
// API has the feature and skips, naming its gate, on one that lacks it.
// FeatureRefusedWhenMissing covers the other side: such an engine refuses
// the spec, naming the feature, rather than drop the field.
func featureCases() []testCase {
	return []testCase{
		{"FeatureRefusedWhenMissing", testFeatureRefused},
		{"FeatureMultiNetworkCreate", testFeatureMultiNetwork},
		{"FeatureEndpointMacAddress", testFeatureEndpointMac},
		{"FeatureHealthStartInterval", testFeatureStartInterval},
		{"FeatureVolumeSubpath", testFeatureSubpath},
		{"FeatureImageMount", testFeatureImageMount},
		{"FeatureGatewayPriority", testFeatureGwPriority},
		{"FeatureStopReleasesEndpoints", testFeatureStopReleases},
	}
}

// need skips t unless the engine has f.
func (c *env) need(t *testing.T, f engine.Feature) {
	t.Helper()
	if v := c.eng.APIVersion(); !f.Supported(v) {
		t.Skipf("gated on %s: %s", f.Name, f.Needs(v))
	}
}

func testFeatureRefused(t *testing.T, c *env) {
	v := c.eng.APIVersion()
	if engine.VolumeSubpath.Supported(v) {
		t.Skipf("gated on an engine without %s (API < %s); this one speaks %s", engine.VolumeSubpath.Name, engine.VolumeSubpath.MinAPI, v)
	}
	vol := c.createVolume(t, c.volSpec("data"))
	spec := c.spec("sub", "true")
	spec.Mounts = []engine.Mount{{Type: "volume", Source: vol.Name, Target: "/data", Subpath: "sub"}}
	_, err := c.eng.CreateContainer(c.ctx(t), spec)
	if err == nil || !strings.Contains(err.Error(), engine.VolumeSubpath.Name+" needs Docker Engine 26.0") {
		t.Errorf("create with a subpath on API %s: got %v, want the feature named", v, err)
	}
	if cs, _ := c.eng.ListContainers(c.ctx(t), engine.ContainerFilter{Project: c.project}); len(cs) != 0 {
		t.Errorf("a refused create left %d containers", len(cs))
	}
}

// A create on several networks has the container on all of them before it
// starts, by one call (API 1.44) or by connects (the adapter, before).
func testFeatureMultiNetwork(t *testing.T, c *env) {
	a, b, d := c.netSpec("a"), c.netSpec("b"), c.netSpec("d")
	for _, n := range []network.Spec{a, b, d} {
		c.createNetwork(t, n)
	}
	spec := c.spec("multi", "sleep", "3600")
	spec.Networks = []network.Endpoint{{Network: b.Name}, {Network: a.Name}, {Network: d.Name}}
	id := c.create(t, spec)
	assertNetworks(t, c.inspect(t, id), a.Name, b.Name, d.Name)
}

func testFeatureEndpointMac(t *testing.T, c *env) {
	c.need(t, engine.EndpointMacAddress)
	front, back := c.netSpec("front"), c.netSpec("back")
	c.createNetwork(t, front)
	c.createNetwork(t, back)
	spec := c.spec("mac", "sh", "-c", "cat /sys/class/net/*/address | grep -x 02:42:ac:11:00:77")
	spec.Networks = []network.Endpoint{{Network: front.Name}, {Network: back.Name, MacAddress: "02:42:ac:11:00:77"}}
	if _, code := c.run(t, spec); code != 0 {
		t.Errorf("no interface has the second network's MAC address (exit %d)", code)
	}
}

// With start_interval the first probes come fast during start_period, so
// a container whose interval is an hour is healthy within seconds.
func testFeatureStartInterval(t *testing.T, c *env) {
	c.need(t, engine.HealthStartInterval)
	rec := c.watch(t)
	spec := c.spec("health", "sleep", "3600")
	spec.Healthcheck = &engine.Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Hour,
		StartPeriod: time.Minute, StartInterval: 100 * time.Millisecond}
	id := c.create(t, spec)
	c.start(t, id)
	if e := rec.next(t, id, engine.EventHealth); e.Health != engine.HealthHealthy {
		t.Errorf("health %q, want healthy", e.Health)
	}
}

func testFeatureSubpath(t *testing.T, c *env) {
	c.need(t, engine.VolumeSubpath)
	vol := c.createVolume(t, c.volSpec("data"))
	write := c.spec("write", "sh", "-c", "mkdir -p /data/sub && echo inside > /data/sub/f && echo outside > /data/top")
	write.Mounts = []engine.Mount{{Type: "volume", Source: vol.Name, Target: "/data"}}
	if _, code := c.run(t, write); code != 0 {
		t.Fatalf("write into the volume: exit %d", code)
	}
	read := c.spec("read", "sh", "-c", `test "$(cat /mnt/f)" = inside && test ! -e /mnt/top && test ! -e /mnt/sub`)
	read.Mounts = []engine.Mount{{Type: "volume", Source: vol.Name, Target: "/mnt", Subpath: "sub"}}
	if _, code := c.run(t, read); code != 0 {
		t.Errorf("the subpath mount is not the volume's sub directory (exit %d)", code)
	}
}

func testFeatureImageMount(t *testing.T, c *env) {
	c.need(t, engine.ImageMount)
	spec := c.spec("img", "sh", "-c", "test -x /image/bin/busybox && test -x /bin-only/busybox && test ! -e /bin-only/bin")
	spec.Mounts = []engine.Mount{
		{Type: "image", Source: c.cfg.Image, Target: "/image", ReadOnly: true},
		{Type: "image", Source: c.cfg.Image, Target: "/bin-only", ReadOnly: true, Subpath: "bin"},
	}
	if _, code := c.run(t, spec); code != 0 {
		t.Errorf("the image's files are not mounted (exit %d)", code)
	}
}

// gw_priority picks the network of the default route: here the second one.
func testFeatureGwPriority(t *testing.T, c *env) {
	c.need(t, engine.GatewayPriority)
	var b [1]byte
	_, _ = rand.Read(b[:])
	// Outside the engine's default pools (see the adapter's tests).
	first, second := c.netSpec("first"), c.netSpec("second")
	first.IPAM.Configs = []network.IPAMConfig{{Subnet: fmt.Sprintf("10.214.%d.0/24", b[0])}}
	second.IPAM.Configs = []network.IPAMConfig{{Subnet: fmt.Sprintf("10.215.%d.0/24", b[0])}}
	c.createNetwork(t, first)
	c.createNetwork(t, second)
	spec := c.spec("gw", "sh", "-c", fmt.Sprintf("ip route | grep '^default via 10.215.%d.1 '", b[0]))
	spec.Networks = []network.Endpoint{{Network: first.Name}, {Network: second.Name, GatewayPriority: 10}}
	if _, code := c.run(t, spec); code != 0 {
		t.Errorf("the default route is not the gw_priority network's (exit %d)", code)
	}
}

// Once a stop returns, the endpoints are gone: the network can be removed
// at once, as down does without awaiting disconnect events there.
func testFeatureStopReleases(t *testing.T, c *env) {
	c.need(t, engine.StopReleasesEndpoints)
	ctx := c.ctx(t)
	for i := range 3 {
		n := c.netSpec(fmt.Sprintf("n%d", i))
		c.createNetwork(t, n)
		spec := c.spec(fmt.Sprintf("s%d", i), "sleep", "3600")
		spec.Networks = []network.Endpoint{{Network: n.Name}}
		id := c.create(t, spec)
		c.start(t, id)
		grace := time.Duration(0)
		if err := c.eng.StopContainer(ctx, id, &grace); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if err := c.eng.RemoveContainer(ctx, id, engine.RemoveOptions{}); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if err := c.eng.RemoveNetwork(ctx, n.Name); err != nil {
			t.Errorf("network removed right after its container's stop and removal: %v", err)
		}
	}
}
