package reconciler

import (
	"reflect"
	"testing"
	"time"

	"berth/engine"
	"berth/network"

	"github.com/compose-spec/compose-go/v2/types"
)

// The compose defaults and fallbacks are applied once, here, so that the
// adapter and the fake only translate the resolved spec.
func TestTemplateResolvesFallbacks(t *testing.T) {
	tests := []struct {
		name string
		svc  string // the web service, in flow style
		got  func(engine.ContainerSpec) any
		want any
	}{
		{"command and entrypoint", `{image: a, command: [sh, -c, echo], entrypoint: /init}`,
			func(s engine.ContainerSpec) any { return [][]string{s.Command, s.Entrypoint} }, [][]string{{"sh", "-c", "echo"}, {"/init"}}},
		{"no command keeps the image's", `{image: a}`,
			func(s engine.ContainerSpec) any { return s.Command == nil && s.Entrypoint == nil }, true},
		{"identity", `{image: a, working_dir: /w, user: "1000", hostname: h, domainname: d, tty: true, stdin_open: true, stop_signal: SIGINT}`,
			func(s engine.ContainerSpec) any {
				return []any{s.WorkingDir, s.User, s.Hostname, s.Domainname, s.Tty, s.StdinOpen, s.StopSignal}
			}, []any{"/w", "1000", "h", "d", true, true, "SIGINT"}},
		{"stop_grace_period", `{image: a, stop_grace_period: 1500ms}`,
			func(s engine.ContainerSpec) any { return *s.StopTimeout }, 1500 * time.Millisecond},
		{"healthcheck", `{image: a, healthcheck: {test: [CMD, "true"], interval: 1s, timeout: 2s, start_period: 3s, retries: 4}}`,
			func(s engine.ContainerSpec) any { return *s.Healthcheck },
			engine.Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Second, Timeout: 2 * time.Second, StartPeriod: 3 * time.Second, Retries: 4}},
		{"healthcheck disabled", `{image: a, healthcheck: {disable: true}}`,
			func(s engine.ContainerSpec) any { return s.Healthcheck.Test }, []string{"NONE"}},
		{"ports default to tcp", `{image: a, ports: ["127.0.0.1:8080:80", "53:53/udp", "9000"], expose: ["7000", "7100-7101/udp"]}`,
			func(s engine.ContainerSpec) any { return []any{s.Ports, s.Expose} },
			[]any{[]engine.PortBinding{{Target: 80, Protocol: "tcp", HostIP: "127.0.0.1", Published: "8080"}, {Target: 53, Protocol: "udp", Published: "53"}, {Target: 9000, Protocol: "tcp"}},
				[]string{"7000/tcp", "7100-7101/udp"}}},
		{"a variable set nowhere unsets the image's", `{image: a, environment: [UNSET, "SET=1", "EMPTY="]}`,
			func(s engine.ContainerSpec) any { return s.Environment }, []string{"EMPTY=", "SET=1", "UNSET"}},
		{"extra hosts sorted", `{image: a, extra_hosts: {zed: 10.0.0.2, alpha: 10.0.0.1}}`,
			func(s engine.ContainerSpec) any { return s.ExtraHosts }, []string{"alpha:10.0.0.1", "zed:10.0.0.2"}},
		{"tmpfs list", `{image: a, tmpfs: [/run, "/tmp:size=64m"]}`,
			func(s engine.ContainerSpec) any { return s.Tmpfs }, map[string]string{"/run": "", "/tmp": "size=64m"}},
		{"logging wins", `{image: a, logging: {driver: json-file, options: {max-size: 1m}}}`,
			func(s engine.ContainerSpec) any { return s.Logging }, engine.LogConfig{Driver: "json-file", Options: map[string]string{"max-size": "1m"}}},
		{"ulimits by name, single sets both", `{image: a, ulimits: {nproc: 65535, nofile: {soft: 1024, hard: 2048}}}`,
			func(s engine.ContainerSpec) any { return s.Resources.Ulimits },
			[]engine.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 65535, Hard: 65535}}},
		{"devices default to rwm and the same path", `{image: a, devices: ["/dev/fuse", "/dev/sda:/dev/xvda:r"]}`,
			func(s engine.ContainerSpec) any { return s.Resources.Devices },
			[]engine.Device{{Host: "/dev/fuse", Container: "/dev/fuse", Permissions: "rwm"}, {Host: "/dev/sda", Container: "/dev/xvda", Permissions: "r"}}},
		{"deploy limits", `{image: a, deploy: {resources: {limits: {memory: 128m, cpus: "0.5", pids: 100}, reservations: {memory: 64m}}}}`,
			func(s engine.ContainerSpec) any {
				r := s.Resources
				return []int64{r.Memory, r.NanoCPUs, *r.PidsLimit, r.MemoryReservation}
			}, []int64{128 << 20, 500_000_000, 100, 64 << 20}},
		{"privileges", `{image: a, privileged: true, read_only: true, init: true, cap_add: [NET_ADMIN], cap_drop: [ALL], security_opt: [no-new-privileges], group_add: [audio]}`,
			func(s engine.ContainerSpec) any {
				return []any{s.Privileged, s.ReadOnly, *s.Init, s.CapAdd, s.CapDrop, s.SecurityOpt, s.GroupAdd}
			}, []any{true, true, true, []string{"NET_ADMIN"}, []string{"ALL"}, []string{"no-new-privileges"}, []string{"audio"}}},
		{"namespaces", `{image: a, pid: host, ipc: shareable, uts: host, userns_mode: host}`,
			func(s engine.ContainerSpec) any { return []string{s.PidMode, s.IpcMode, s.UTSMode, s.UsernsMode} },
			[]string{"host", "shareable", "host", "host"}},
		{"restart wins over deploy", `{image: a, restart: "on-failure:3", deploy: {restart_policy: {condition: any}}}`,
			func(s engine.ContainerSpec) any { return s.Restart }, engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}},
		{"mac_address on the primary endpoint", `{image: a, mac_address: "02:42:ac:11:00:99"}`,
			func(s engine.ContainerSpec) any { return []any{s.MacAddress, s.Networks} },
			[]any{"02:42:ac:11:00:99", []network.Endpoint{{Network: "demo_default", Aliases: []string{"web"}, MacAddress: "02:42:ac:11:00:99"}}}},
		{"the endpoint's own mac_address", `{image: a, networks: {default: {mac_address: "02:42:ac:11:00:01"}}}`,
			func(s engine.ContainerSpec) any { return []any{s.MacAddress, s.Networks[0].MacAddress} },
			[]any{"02:42:ac:11:00:01", "02:42:ac:11:00:01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, "services: {web: "+tt.svc+"}")
			spec := resolveService(p, p.Services["web"], "").template()
			if got := tt.got(spec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// What the loader cannot produce from a file (it refuses log_driver and
// distinct limits in two places) can still reach the planner in a model
// built by hand; the fallbacks hold there too.
func TestTemplateModelFallbacks(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: a}}")
	s := p.Services["web"]
	s.LogDriver, s.LogOpt = "syslog", map[string]string{"tag": "x"}
	s.MemLimit, s.CPUShares, s.PidsLimit = 256<<20, 512, 7
	s.Deploy = &types.DeployConfig{Resources: types.Resources{Limits: &types.Resource{MemoryBytes: 128 << 20, Pids: 100}}}
	spec := resolveService(p, s, "").template()
	if want := (engine.LogConfig{Driver: "syslog", Options: map[string]string{"tag": "x"}}); !reflect.DeepEqual(spec.Logging, want) {
		t.Errorf("legacy log driver: got %+v", spec.Logging)
	}
	r := spec.Resources
	if got, want := []int64{r.Memory, r.CPUShares, r.NanoCPUs, *r.PidsLimit}, []int64{256 << 20, 512, 0, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("service limits over deploy: got %v, want %v", got, want)
	}
}
