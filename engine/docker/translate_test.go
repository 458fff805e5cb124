package docker

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	mnetwork "github.com/moby/moby/api/types/network"

	"berth/engine"
	"berth/network"
)

func ptr[T any](v T) *T { return &v }

func TestTranslate(t *testing.T) {
	tests := []struct {
		name string
		spec engine.ContainerSpec
		got  func(createRequest) any
		want any
	}{
		{"image", engine.ContainerSpec{Image: "a:1"},
			func(r createRequest) any { return r.options.Config.Image }, "a:1"},
		{"command and entrypoint", engine.ContainerSpec{Command: []string{"sh", "-c", "echo"}, Entrypoint: []string{"/init"}},
			func(r createRequest) any { return [][]string{r.options.Config.Cmd, r.options.Config.Entrypoint} }, [][]string{{"sh", "-c", "echo"}, {"/init"}}},
		{"no command keeps the image's", engine.ContainerSpec{},
			func(r createRequest) any { return r.options.Config.Cmd == nil && r.options.Config.Entrypoint == nil }, true},
		{"identity fields", engine.ContainerSpec{Environment: []string{"A=1"}, Labels: map[string]string{"l": "v"}, WorkingDir: "/w", User: "1000:1000", Hostname: "h", Domainname: "d.example", Tty: true, StdinOpen: true, StdinOnce: true},
			func(r createRequest) any {
				c := r.options.Config
				return []any{c.Env, c.Labels, c.WorkingDir, c.User, c.Hostname, c.Domainname, c.Tty, c.OpenStdin, c.AttachStdin, c.StdinOnce}
			}, []any{[]string{"A=1"}, map[string]string{"l": "v"}, "/w", "1000:1000", "h", "d.example", true, true, true, true}},
		{"stop timeout in whole seconds", engine.ContainerSpec{StopSignal: "SIGINT", StopTimeout: ptr(1500 * time.Millisecond)},
			func(r createRequest) any { return []any{r.options.Config.StopSignal, *r.options.Config.StopTimeout} }, []any{"SIGINT", 2}},
		{"no stop timeout is the engine's", engine.ContainerSpec{},
			func(r createRequest) any { return r.options.Config.StopTimeout == nil }, true},
		{"healthcheck", engine.ContainerSpec{Healthcheck: &engine.Healthcheck{Test: []string{"CMD-SHELL", "true"},
			Interval: time.Second, Timeout: 2 * time.Second, StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 4}},
			func(r createRequest) any { return *r.options.Config.Healthcheck },
			container.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Second, Timeout: 2 * time.Second, StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 4}},
		{"no healthcheck keeps the image's", engine.ContainerSpec{},
			func(r createRequest) any { return r.options.Config.Healthcheck == nil }, true},
		{"restart policy, volumes_from, auto remove", engine.ContainerSpec{Restart: engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}, VolumesFrom: []string{"abc", "other:ro"}, AutoRemove: true},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.RestartPolicy, h.VolumesFrom, h.AutoRemove}
			},
			[]any{container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}, []string{"abc", "other:ro"}, true}},
		{"namespaces", engine.ContainerSpec{PidMode: "container:abc", IpcMode: "shareable", UTSMode: "host", UsernsMode: "host"},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.PidMode, h.IpcMode, h.UTSMode, h.UsernsMode}
			},
			[]any{container.PidMode("container:abc"), container.IpcMode("shareable"), container.UTSMode("host"), container.UsernsMode("host")}},
		{"dns, extra hosts", engine.ContainerSpec{DNS: []string{"1.1.1.1"}, DNSSearch: []string{"example"}, DNSOptions: []string{"ndots:2"}, ExtraHosts: []string{"alpha:10.0.0.1", "zed:10.0.0.2"}},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.DNS, h.DNSSearch, h.DNSOptions, h.ExtraHosts}
			},
			[]any{[]netip.Addr{netip.MustParseAddr("1.1.1.1")}, []string{"example"}, []string{"ndots:2"}, []string{"alpha:10.0.0.1", "zed:10.0.0.2"}}},
		{"security and privileges", engine.ContainerSpec{Privileged: true, CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"ALL"}, SecurityOpt: []string{"no-new-privileges"}, ReadOnly: true, Init: ptr(true), GroupAdd: []string{"audio"}},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.Privileged, h.CapAdd, h.CapDrop, h.SecurityOpt, h.ReadonlyRootfs, *h.Init, h.GroupAdd}
			}, []any{true, []string{"NET_ADMIN"}, []string{"ALL"}, []string{"no-new-privileges"}, true, true, []string{"audio"}}},
		{"logging, sysctls, shm, oom, runtime, storage", engine.ContainerSpec{Logging: engine.LogConfig{Driver: "json-file", Options: map[string]string{"max-size": "1m"}},
			Sysctls: map[string]string{"net.core.somaxconn": "1024"}, ShmSize: 64 << 20, OomScoreAdj: -500, Runtime: "runc", StorageOpt: map[string]string{"size": "1G"}},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.LogConfig, h.Sysctls, h.ShmSize, h.OomScoreAdj, h.Runtime, h.StorageOpt}
			}, []any{container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m"}}, map[string]string{"net.core.somaxconn": "1024"}, int64(64 << 20), -500, "runc", map[string]string{"size": "1G"}}},
		{"ulimits", engine.ContainerSpec{Resources: engine.Resources{Ulimits: []engine.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 65535, Hard: 65535}}}},
			func(r createRequest) any {
				var out []container.Ulimit
				for _, u := range r.options.HostConfig.Ulimits {
					out = append(out, *u)
				}
				return out
			}, []container.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 65535, Hard: 65535}}},
		{"devices", engine.ContainerSpec{Resources: engine.Resources{Devices: []engine.Device{{Host: "/dev/fuse", Container: "/dev/fuse", Permissions: "rwm"}}, DeviceCgroupRules: []string{"c 1:3 mr"}}},
			func(r createRequest) any {
				return []any{r.options.HostConfig.Devices, r.options.HostConfig.DeviceCgroupRules}
			},
			[]any{[]container.DeviceMapping{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}}, []string{"c 1:3 mr"}}},
		{"limits", engine.ContainerSpec{Resources: engine.Resources{CPUShares: 512, CPUPeriod: 100000, CPUQuota: 50000, CpusetCpus: "0-1", NanoCPUs: 5e8,
			CgroupParent: "/berth", Memory: 128 << 20, MemoryReservation: 64 << 20, MemorySwap: 256 << 20, PidsLimit: ptr[int64](100), OomKillDisable: true}},
			func(r createRequest) any {
				res := r.options.HostConfig.Resources
				return []any{res.CPUShares, res.CPUPeriod, res.CPUQuota, res.CpusetCpus, res.NanoCPUs, res.CgroupParent,
					res.Memory, res.MemoryReservation, res.MemorySwap, *res.PidsLimit, *res.OomKillDisable}
			}, []any{int64(512), int64(100000), int64(50000), "0-1", int64(5e8), "/berth", int64(128 << 20), int64(64 << 20), int64(256 << 20), int64(100), true}},
		{"no limits set none", engine.ContainerSpec{},
			func(r createRequest) any {
				res := r.options.HostConfig.Resources
				return res.PidsLimit == nil && res.OomKillDisable == nil
			}, true},
		{"tmpfs", engine.ContainerSpec{Tmpfs: map[string]string{"/run": "", "/tmp": "size=64m,mode=1777"}},
			func(r createRequest) any { return r.options.HostConfig.Tmpfs }, map[string]string{"/run": "", "/tmp": "size=64m,mode=1777"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := translate(tt.spec, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.got(r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// fullSpec sets every field of ContainerSpec (and of its Resources).
func fullSpec() engine.ContainerSpec {
	return engine.ContainerSpec{
		Name: "p-web-1", Image: "a:1", Labels: map[string]string{"l": "v"},
		Entrypoint: []string{"/init"}, Command: []string{"run"}, Environment: []string{"A=1"},
		WorkingDir: "/w", User: "1", Hostname: "h", Domainname: "d", Tty: true, StdinOpen: true, StdinOnce: true,
		StopSignal: "SIGINT", StopTimeout: ptr(time.Second), Healthcheck: &engine.Healthcheck{Test: []string{"NONE"}},
		Ports: []engine.PortBinding{{Target: 80, Protocol: "tcp", Published: "8080"}}, Expose: []string{"81/tcp"},
		Networks:    []network.Endpoint{{Network: "p_default", Aliases: []string{"web"}}},
		NetworkMode: "p_default", MacAddress: "02:42:ac:11:00:99", Links: []string{"p-db-1:db"}, Platform: "linux/amd64",
		DNS: []string{"1.1.1.1"}, DNSSearch: []string{"x"}, DNSOptions: []string{"ndots:1"}, ExtraHosts: []string{"a:10.0.0.1"},
		Mounts: []engine.Mount{{Type: "volume", Target: "/data"}}, Tmpfs: map[string]string{"/run": ""}, VolumesFrom: []string{"other"},
		PidMode: "host", IpcMode: "host", UTSMode: "host", UsernsMode: "host", CgroupnsMode: "host", Privileged: true,
		CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"ALL"}, SecurityOpt: []string{"no-new-privileges"}, ReadOnly: true,
		Init: ptr(true), GroupAdd: []string{"audio"}, Sysctls: map[string]string{"a": "1"}, Runtime: "runc",
		StorageOpt: map[string]string{"size": "1G"}, OomScoreAdj: 1, ShmSize: 1, Annotations: map[string]string{"k": "v"},
		Restart: engine.RestartPolicy{Name: "always"}, Logging: engine.LogConfig{Driver: "local"},
		Resources: engine.Resources{CPUShares: 1, CPUPeriod: 1, CPUQuota: 1, CpusetCpus: "0", NanoCPUs: 1, CgroupParent: "x",
			Memory: 1, MemoryReservation: 1, MemorySwap: 1, PidsLimit: ptr[int64](1), OomKillDisable: true,
			MemorySwappiness: ptr[int64](10), CPURealtimePeriod: 1, CPURealtimeRuntime: 1, CDIDevices: []string{"vendor.com/gpu=0"},
			Devices: []engine.Device{{Host: "/dev/fuse", Container: "/dev/fuse", Permissions: "rwm"}}, DeviceCgroupRules: []string{"a"},
			Ulimits: []engine.Ulimit{{Name: "nofile", Soft: 1, Hard: 1}}},
		AutoRemove: true,
	}
}

// Every field of ContainerSpec reaches the create call: blanking any one of
// them changes what is sent. A field added to the spec and forgotten by the
// adapter fails here.
func TestTranslateEveryField(t *testing.T) {
	full := fullSpec()
	base := createCall(t, full)
	check := func(path string, v reflect.Value) {
		if v.IsZero() {
			t.Errorf("fullSpec leaves %s unset", path)
			return
		}
		saved := reflect.New(v.Type()).Elem()
		saved.Set(v)
		v.SetZero()
		if reflect.DeepEqual(createCall(t, full), base) {
			t.Errorf("%s does not reach the create call", path)
		}
		v.Set(saved)
	}
	spec := reflect.ValueOf(&full).Elem()
	for i := range spec.NumField() {
		name := spec.Type().Field(i).Name
		switch name {
		case "MacAddress":
			continue // only engines before API 1.44 read it: TestLegacyMac
		case "NetworkMode":
			continue // the primary network's name here: TestTranslateNetworkModes
		case "Resources":
			res := spec.Field(i)
			for j := range res.NumField() {
				check("Resources."+res.Type().Field(j).Name, res.Field(j))
			}
			continue
		}
		check(name, spec.Field(i))
	}
}

// createCall is everything translate sends for spec, on an engine that
// takes one network at create.
func createCall(t *testing.T, spec engine.ContainerSpec) createRequest {
	t.Helper()
	r, err := translate(spec, false)
	if err != nil {
		t.Fatalf("translate: %v", err)
	}
	return r
}

func TestLegacyMac(t *testing.T) {
	old := &Engine{}
	if got := old.legacyMac(fullSpec()); got != "02:42:ac:11:00:99" {
		t.Errorf("old engine: got %q", got)
	}
}

func TestTranslatePorts(t *testing.T) {
	spec := engine.ContainerSpec{
		Ports: []engine.PortBinding{
			{Target: 80, Published: "8080", Protocol: "tcp"},
			{Target: 80, Published: "8081", HostIP: "127.0.0.1", Protocol: "tcp"},
			{Target: 53, Published: "5300-5310", Protocol: "udp"},
			{Target: 9000, Protocol: "tcp"},
		},
		Expose: []string{"7000/tcp", "7100-7101/udp"},
	}
	r, err := translate(spec, false)
	if err != nil {
		t.Fatal(err)
	}
	p := func(s string) mnetwork.Port { return mnetwork.MustParsePort(s) }
	wantExposed := mnetwork.PortSet{p("80/tcp"): {}, p("53/udp"): {}, p("9000/tcp"): {}, p("7000/tcp"): {}, p("7100/udp"): {}, p("7101/udp"): {}}
	if got := r.options.Config.ExposedPorts; !reflect.DeepEqual(got, wantExposed) {
		t.Errorf("exposed: got %v, want %v", got, wantExposed)
	}
	wantBindings := mnetwork.PortMap{
		p("80/tcp"):   {{HostPort: "8080"}, {HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "8081"}},
		p("53/udp"):   {{HostPort: "5300-5310"}},
		p("9000/tcp"): {{}},
	}
	if got := r.options.HostConfig.PortBindings; !reflect.DeepEqual(got, wantBindings) {
		t.Errorf("bindings: got %v, want %v", got, wantBindings)
	}
}

func TestTranslateMounts(t *testing.T) {
	spec := engine.ContainerSpec{Mounts: []engine.Mount{
		{Type: "bind", Source: "/srv/app", Target: "/app", ReadOnly: true, CreateHostPath: true},
		{Type: "bind", Source: "/etc/x", Target: "/x", BindPropagation: "rslave"},
		{Type: "volume", Source: "p_data", Target: "/data", VolumeNoCopy: true},
		{Type: "volume", Target: "/anon"},
		{Type: "tmpfs", Target: "/cache", TmpfsSize: 1 << 20, TmpfsMode: 0o700},
		{Type: "volume", Source: "p_data", Target: "/sub", Subpath: "a/b"},
		{Type: "image", Source: "busybox", Target: "/img", ReadOnly: true, Subpath: "bin"},
		{Type: "image", Source: "busybox", Target: "/whole"},
		{Type: "bind", Source: "/srv/z", Target: "/z", SELinux: "z", CreateHostPath: true},
		{Type: "bind", Source: "/srv/Z", Target: "/Z", ReadOnly: true, SELinux: "Z"},
		{Type: "bind", Source: "/srv/r", Target: "/r", BindRecursive: "disabled"},
		{Type: "bind", Source: "/srv/w", Target: "/w", ReadOnly: true, BindRecursive: "writable"},
		{Type: "volume", Source: "p_l", Target: "/l", VolumeLabels: map[string]string{"k": "v"}},
	}}
	r, err := translate(spec, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.options.HostConfig.Binds, []string{"/srv/app:/app:ro", "/srv/z:/z:z", "/srv/Z:/Z:ro,Z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("binds: got %v, want %v", got, want)
	}
	want := []mount.Mount{
		{Type: "bind", Source: "/etc/x", Target: "/x", BindOptions: &mount.BindOptions{Propagation: "rslave"}},
		{Type: "volume", Source: "p_data", Target: "/data", VolumeOptions: &mount.VolumeOptions{NoCopy: true}},
		{Type: "volume", Target: "/anon"},
		{Type: "tmpfs", Target: "/cache", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 1 << 20, Mode: 0o700}},
		{Type: "volume", Source: "p_data", Target: "/sub", VolumeOptions: &mount.VolumeOptions{Subpath: "a/b"}},
		{Type: "image", Source: "busybox", Target: "/img", ReadOnly: true, ImageOptions: &mount.ImageOptions{Subpath: "bin"}},
		{Type: "image", Source: "busybox", Target: "/whole"},
		{Type: "bind", Source: "/srv/r", Target: "/r", BindOptions: &mount.BindOptions{NonRecursive: true}},
		{Type: "bind", Source: "/srv/w", Target: "/w", ReadOnly: true, BindOptions: &mount.BindOptions{ReadOnlyNonRecursive: true}},
		{Type: "volume", Source: "p_l", Target: "/l", VolumeOptions: &mount.VolumeOptions{Labels: map[string]string{"k": "v"}}},
	}
	if got := r.options.HostConfig.Mounts; !reflect.DeepEqual(got, want) {
		t.Errorf("mounts:\n got %+v\nwant %+v", got, want)
	}
}

func TestTranslateNetworks(t *testing.T) {
	spec := engine.ContainerSpec{
		Links: []string{"db:database"},
		Networks: []network.Endpoint{
			{Network: "p_front", Aliases: []string{"web"}, IPv4Address: "172.30.0.10"},
			{Network: "p_back", Aliases: []string{"api"}, GatewayPriority: 10},
		},
	}
	for _, multi := range []bool{false, true} {
		r, err := translate(spec, multi)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.options.HostConfig.NetworkMode; got != "p_front" {
			t.Errorf("multi=%v: network mode %q, want the primary network", multi, got)
		}
		if r.options.HostConfig.Links != nil {
			t.Errorf("multi=%v: links in the host config on a user-defined network", multi)
		}
		eps := r.options.NetworkingConfig.EndpointsConfig
		front := eps["p_front"]
		if front == nil || front.IPAMConfig.IPv4Address != netip.MustParseAddr("172.30.0.10") || !reflect.DeepEqual(front.Links, spec.Links) {
			t.Errorf("multi=%v: front endpoint %+v", multi, front)
		}
		wantEndpoints, wantConnect := 1, 1
		if multi {
			wantEndpoints, wantConnect = 2, 0
		}
		if multi && eps["p_back"].GwPriority != 10 {
			t.Errorf("gw_priority: %+v", eps["p_back"])
		}
		if len(eps) != wantEndpoints || len(r.connect) != wantConnect {
			t.Errorf("multi=%v: %d endpoints at create, %d to connect; want %d, %d", multi, len(eps), len(r.connect), wantEndpoints, wantConnect)
		}
	}
}

func TestTranslateNetworkModes(t *testing.T) {
	for _, mode := range []string{"host", "none", "container:abc"} {
		r, err := translate(engine.ContainerSpec{NetworkMode: mode, Links: []string{"x"}}, false)
		if err != nil {
			t.Fatal(err)
		}
		if r.options.HostConfig.NetworkMode != container.NetworkMode(mode) || r.options.NetworkingConfig != nil {
			t.Errorf("mode %q: got %q with %+v", mode, r.options.HostConfig.NetworkMode, r.options.NetworkingConfig)
		}
	}
	r, _ := translate(engine.ContainerSpec{Links: []string{"db:database"}}, false)
	if !reflect.DeepEqual(r.options.HostConfig.Links, []string{"db:database"}) {
		t.Errorf("default bridge: links %v, want them in the host config", r.options.HostConfig.Links)
	}
}

// Bad input is an error naming the field, never a panic.
func TestTranslateBadInput(t *testing.T) {
	tests := []struct {
		name string
		spec engine.ContainerSpec
		want string
	}{
		{"bad dns", engine.ContainerSpec{DNS: []string{"not-an-ip"}}, `dns "not-an-ip"`},
		{"bad host ip", engine.ContainerSpec{Ports: []engine.PortBinding{{Target: 80, Protocol: "tcp", HostIP: "x"}}}, `host_ip "x"`},
		{"port zero", engine.ContainerSpec{Ports: []engine.PortBinding{{Target: 0, Protocol: "tcp"}}}, "invalid container port 0"},
		{"port too big", engine.ContainerSpec{Ports: []engine.PortBinding{{Target: 70000, Protocol: "tcp"}}}, "invalid container port 70000"},
		{"bad expose", engine.ContainerSpec{Expose: []string{"http/tcp"}}, `expose "http/tcp"`},
		{"bad ipv4", engine.ContainerSpec{Networks: []network.Endpoint{{Network: "n", IPv4Address: "300.1.1.1"}}}, `ipv4_address "300.1.1.1"`},
		{"bad mac", engine.ContainerSpec{Networks: []network.Endpoint{{Network: "n", MacAddress: "zz"}}}, `mac_address "zz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := translate(tt.spec, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
