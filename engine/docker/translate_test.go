package docker

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	mnetwork "github.com/moby/moby/api/types/network"

	"berth/engine"
	"berth/network"
)

// svc is a service with the given container fields.
func svc(c types.ContainerSpec, w types.WorkloadSpec) types.ServiceConfig {
	return types.ServiceConfig{Name: "web", ContainerSpec: c, WorkloadSpec: w}
}

func ptr[T any](v T) *T { return &v }

func TestTranslate(t *testing.T) {
	dur := func(d time.Duration) *types.Duration { return ptr(types.Duration(d)) }
	tests := []struct {
		name string
		spec engine.ContainerSpec
		got  func(createRequest) any
		want any
	}{
		{"image from spec wins", engine.ContainerSpec{Image: "a:1", Service: svc(types.ContainerSpec{Image: "b:2"}, types.WorkloadSpec{})},
			func(r createRequest) any { return r.options.Config.Image }, "a:1"},
		{"command and entrypoint", engine.ContainerSpec{Service: svc(types.ContainerSpec{Command: types.ShellCommand{"sh", "-c", "echo"}, Entrypoint: types.ShellCommand{"/init"}}, types.WorkloadSpec{})},
			func(r createRequest) any { return [][]string{r.options.Config.Cmd, r.options.Config.Entrypoint} }, [][]string{{"sh", "-c", "echo"}, {"/init"}}},
		{"no command keeps the image's", engine.ContainerSpec{},
			func(r createRequest) any { return r.options.Config.Cmd == nil && r.options.Config.Entrypoint == nil }, true},
		{"identity fields", engine.ContainerSpec{Environment: []string{"A=1"}, Labels: map[string]string{"l": "v"}, Service: svc(types.ContainerSpec{WorkingDir: "/w", User: "1000:1000", Hostname: "h", DomainName: "d.example"}, types.WorkloadSpec{Tty: true, StdinOpen: true})},
			func(r createRequest) any {
				c := r.options.Config
				return []any{c.Env, c.Labels, c.WorkingDir, c.User, c.Hostname, c.Domainname, c.Tty, c.OpenStdin}
			}, []any{[]string{"A=1"}, map[string]string{"l": "v"}, "/w", "1000:1000", "h", "d.example", true, true}},
		{"stop grace period in seconds", engine.ContainerSpec{Service: svc(types.ContainerSpec{StopSignal: "SIGINT", StopGracePeriod: dur(1500 * time.Millisecond)}, types.WorkloadSpec{})},
			func(r createRequest) any { return []any{r.options.Config.StopSignal, *r.options.Config.StopTimeout} }, []any{"SIGINT", 2}},
		{"explicit stop timeout wins", engine.ContainerSpec{StopTimeout: ptr(3 * time.Second), Service: svc(types.ContainerSpec{StopGracePeriod: dur(time.Minute)}, types.WorkloadSpec{})},
			func(r createRequest) any { return *r.options.Config.StopTimeout }, 3},
		{"healthcheck", engine.ContainerSpec{Service: svc(types.ContainerSpec{}, types.WorkloadSpec{HealthCheck: &types.HealthCheckConfig{
			Test: types.HealthCheckTest{"CMD-SHELL", "true"}, Interval: dur(time.Second), Timeout: dur(2 * time.Second), StartPeriod: dur(3 * time.Second), Retries: ptr[uint64](4)}})},
			func(r createRequest) any { return *r.options.Config.Healthcheck },
			container.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Second, Timeout: 2 * time.Second, StartPeriod: 3 * time.Second, Retries: 4}},
		{"healthcheck disabled", engine.ContainerSpec{Service: svc(types.ContainerSpec{}, types.WorkloadSpec{HealthCheck: &types.HealthCheckConfig{Disable: true}})},
			func(r createRequest) any { return r.options.Config.Healthcheck.Test }, []string{"NONE"}},
		{"restart policy and volumes_from", engine.ContainerSpec{Restart: engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}, VolumesFrom: []string{"abc", "other:ro"}},
			func(r createRequest) any {
				return []any{r.options.HostConfig.RestartPolicy, r.options.HostConfig.VolumesFrom}
			},
			[]any{container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}, []string{"abc", "other:ro"}}},
		{"namespaces from the spec win", engine.ContainerSpec{PidMode: "container:abc", Service: svc(types.ContainerSpec{Pid: "host", Ipc: "shareable"}, types.WorkloadSpec{})},
			func(r createRequest) any { return []any{r.options.HostConfig.PidMode, r.options.HostConfig.IpcMode} },
			[]any{container.PidMode("container:abc"), container.IpcMode("shareable")}},
		{"dns, extra hosts sorted", engine.ContainerSpec{Service: svc(types.ContainerSpec{DNS: types.StringList{"1.1.1.1"}, DNSSearch: types.StringList{"example"}, DNSOpts: []string{"ndots:2"},
			ExtraHosts: types.HostsList{"zed": {"10.0.0.2"}, "alpha": {"10.0.0.1", "::1"}}}, types.WorkloadSpec{})},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.DNS, h.DNSSearch, h.DNSOptions, h.ExtraHosts}
			},
			[]any{[]netip.Addr{netip.MustParseAddr("1.1.1.1")}, []string{"example"}, []string{"ndots:2"}, []string{"alpha:10.0.0.1", "alpha:::1", "zed:10.0.0.2"}}},
		{"security and privileges", engine.ContainerSpec{Service: svc(types.ContainerSpec{Privileged: true, CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"ALL"}, SecurityOpt: []string{"no-new-privileges"}, ReadOnly: true, Init: ptr(true), GroupAdd: []string{"audio"}}, types.WorkloadSpec{})},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.Privileged, h.CapAdd, h.CapDrop, h.SecurityOpt, h.ReadonlyRootfs, *h.Init, h.GroupAdd}
			}, []any{true, []string{"NET_ADMIN"}, []string{"ALL"}, []string{"no-new-privileges"}, true, true, []string{"audio"}}},
		{"logging, sysctls, shm, oom", engine.ContainerSpec{Service: svc(types.ContainerSpec{Logging: &types.LoggingConfig{Driver: "json-file", Options: types.Options{"max-size": "1m"}},
			Sysctls: types.Mapping{"net.core.somaxconn": "1024"}, ShmSize: 64 << 20, OomScoreAdj: -500}, types.WorkloadSpec{})},
			func(r createRequest) any {
				h := r.options.HostConfig
				return []any{h.LogConfig, h.Sysctls, h.ShmSize, h.OomScoreAdj}
			}, []any{container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m"}}, map[string]string{"net.core.somaxconn": "1024"}, int64(64 << 20), -500}},
		{"ulimits in name order", engine.ContainerSpec{Service: svc(types.ContainerSpec{Ulimits: map[string]*types.UlimitsConfig{"nproc": {Single: 65535}, "nofile": {Soft: 1024, Hard: 2048}}}, types.WorkloadSpec{})},
			func(r createRequest) any {
				var out []container.Ulimit
				for _, u := range r.options.HostConfig.Ulimits {
					out = append(out, *u)
				}
				return out
			}, []container.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 65535, Hard: 65535}}},
		{"devices default to rwm", engine.ContainerSpec{Service: svc(types.ContainerSpec{Devices: []types.DeviceMapping{{Source: "/dev/fuse"}, {Source: "/dev/sda", Target: "/dev/xvda", Permissions: "r"}}}, types.WorkloadSpec{})},
			func(r createRequest) any { return r.options.HostConfig.Devices },
			[]container.DeviceMapping{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}, {PathOnHost: "/dev/sda", PathInContainer: "/dev/xvda", CgroupPermissions: "r"}}},
		{"service limits win over deploy", engine.ContainerSpec{Service: svc(types.ContainerSpec{MemLimit: 256 << 20, CPUShares: 512}, types.WorkloadSpec{})},
			func(r createRequest) any {
				res := r.options.HostConfig.Resources
				return []int64{res.Memory, res.CPUShares, res.NanoCPUs}
			}, []int64{256 << 20, 512, 0}},
		{"deploy limits", deploySpec(),
			func(r createRequest) any {
				res := r.options.HostConfig.Resources
				return []int64{res.Memory, res.NanoCPUs, *res.PidsLimit, res.MemoryReservation}
			}, []int64{128 << 20, 500_000_000, 100, 64 << 20}},
		{"tmpfs list", engine.ContainerSpec{Service: svc(types.ContainerSpec{Tmpfs: types.StringList{"/run", "/tmp:size=64m,mode=1777"}}, types.WorkloadSpec{})},
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

func deploySpec() engine.ContainerSpec {
	s := svc(types.ContainerSpec{}, types.WorkloadSpec{})
	s.Deploy = &types.DeployConfig{Resources: types.Resources{
		Limits:       &types.Resource{MemoryBytes: 128 << 20, NanoCPUs: 0.5, Pids: 100},
		Reservations: &types.Resource{MemoryBytes: 64 << 20},
	}}
	return engine.ContainerSpec{Service: s}
}

func TestTranslatePorts(t *testing.T) {
	s := svc(types.ContainerSpec{}, types.WorkloadSpec{
		Ports: []types.ServicePortConfig{
			{Target: 80, Published: "8080", Protocol: "tcp"},
			{Target: 80, Published: "8081", HostIP: "127.0.0.1"},
			{Target: 53, Published: "5300-5310", Protocol: "udp"},
			{Target: 9000},
		},
		Expose: types.StringOrNumberList{"7000", "7100-7101/udp"},
	})
	r, err := translate(engine.ContainerSpec{Service: s}, false)
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
	}}
	r, err := translate(spec, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.options.HostConfig.Binds, []string{"/srv/app:/app:ro"}; !reflect.DeepEqual(got, want) {
		t.Errorf("binds: got %v, want %v", got, want)
	}
	want := []mount.Mount{
		{Type: "bind", Source: "/etc/x", Target: "/x", BindOptions: &mount.BindOptions{Propagation: "rslave"}},
		{Type: "volume", Source: "p_data", Target: "/data", VolumeOptions: &mount.VolumeOptions{NoCopy: true}},
		{Type: "volume", Target: "/anon"},
		{Type: "tmpfs", Target: "/cache", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 1 << 20, Mode: 0o700}},
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
			{Network: "p_back", Aliases: []string{"api"}},
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
		{"bad dns", engine.ContainerSpec{Service: svc(types.ContainerSpec{DNS: types.StringList{"not-an-ip"}}, types.WorkloadSpec{})}, `dns "not-an-ip"`},
		{"bad host ip", engine.ContainerSpec{Service: svc(types.ContainerSpec{}, types.WorkloadSpec{Ports: []types.ServicePortConfig{{Target: 80, HostIP: "x"}}})}, `host_ip "x"`},
		{"port zero", engine.ContainerSpec{Service: svc(types.ContainerSpec{}, types.WorkloadSpec{Ports: []types.ServicePortConfig{{Target: 0}}})}, "invalid container port 0"},
		{"port too big", engine.ContainerSpec{Service: svc(types.ContainerSpec{}, types.WorkloadSpec{Ports: []types.ServicePortConfig{{Target: 70000}}})}, "invalid container port 70000"},
		{"bad expose", engine.ContainerSpec{Service: svc(types.ContainerSpec{}, types.WorkloadSpec{Expose: types.StringOrNumberList{"http"}})}, `expose "http/tcp"`},
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
