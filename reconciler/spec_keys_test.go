package reconciler

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// Keys the engine of API 1.41 can express reach the spec.
func TestTemplateAppliesEveryKey(t *testing.T) {
	tests := []struct {
		name string
		svc  string // the web service, in flow style
		got  func(engine.ContainerSpec) any
		want any
	}{
		{"selinux relabel", `{image: a, volumes: ["./a:/a:z", {type: bind, source: ./b, target: /b, bind: {selinux: Z}}]}`,
			func(s engine.ContainerSpec) any { return []string{s.Mounts[0].SELinux, s.Mounts[1].SELinux} }, []string{"z", "Z"}},
		{"bind recursion", `{image: a, volumes: [{type: bind, source: ./b, target: /b, bind: {recursive: disabled}}]}`,
			func(s engine.ContainerSpec) any { return s.Mounts[0].BindRecursive }, "disabled"},
		{"volume labels", `{image: a, volumes: [{type: volume, source: d, target: /d, volume: {labels: {team: x}}}]}`,
			func(s engine.ContainerSpec) any { return s.Mounts[0].VolumeLabels }, map[string]string{"team": "x"}},
		{"cgroup namespace", `{image: a, cgroup: host}`,
			func(s engine.ContainerSpec) any { return s.CgroupnsMode }, "host"},
		{"realtime cpu and swappiness", `{image: a, cpu_rt_period: 1000000, cpu_rt_runtime: 950000, mem_swappiness: 10}`,
			func(s engine.ContainerSpec) any {
				r := s.Resources
				return []int64{r.CPURealtimePeriod, r.CPURealtimeRuntime, *r.MemorySwappiness}
			}, []int64{1000000, 950000, 10}},
		{"no swappiness keeps the engine's", `{image: a}`,
			func(s engine.ContainerSpec) any { return s.Resources.MemorySwappiness == nil }, true},
		{"network_mode disabled is none", `{image: a, network_mode: disabled}`,
			func(s engine.ContainerSpec) any { return []any{s.NetworkMode, len(s.Networks)} }, []any{"none", 0}},
		{"CDI names apart from host devices", `{image: a, devices: ["vendor.com/gpu=all", "/dev/fuse"]}`,
			func(s engine.ContainerSpec) any { return []any{s.Resources.CDIDevices, len(s.Resources.Devices)} },
			[]any{[]string{"vendor.com/gpu=all"}, 1}},
		{"endpoint driver_opts and interface_name", `{image: a, networks: {default: {driver_opts: {a: b, com.docker.network.endpoint.ifname: x}, interface_name: eth7}}}`,
			func(s engine.ContainerSpec) any { return s.Networks[0].DriverOpts },
			map[string]string{"a": "b", "com.docker.network.endpoint.ifname": "eth7"}},
		{"annotations on a new engine", `{image: a, annotations: {com.example.k: v}}`,
			func(s engine.ContainerSpec) any { return s.Annotations }, map[string]string{"com.example.k": "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, "services: {web: "+tt.svc+"}\nvolumes: {d: {}}")
			spec := resolveService(p, p.Services["web"], "1.48").template()
			if got := tt.got(spec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// A seccomp profile named by its file is passed as the file's compacted
// JSON, the way the docker CLI sends it; the engine reads no client files.
func TestSeccompProfileFromFile(t *testing.T) {
	p := mustLoad(t, `services: {web: {image: a, security_opt: ["seccomp=profile.json", "seccomp:unconfined", no-new-privileges]}}`)
	if err := os.WriteFile(filepath.Join(p.WorkingDir, "profile.json"), []byte("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := resolveService(p, p.Services["web"], "1.41").template()
	want := []string{`seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`, "seccomp:unconfined", "no-new-privileges"}
	if !reflect.DeepEqual(spec.SecurityOpt, want) {
		t.Errorf("got %q, want %q", spec.SecurityOpt, want)
	}
}

// A profile file that is missing fails the plan, naming service and option.
func TestSeccompProfileMissing(t *testing.T) {
	got := planErr(t, `services: {web: {image: a, security_opt: ["seccomp=nothere.json"]}}`, nil)
	wantIn(t, got, `service "web": security_opt seccomp=nothere.json: reading the seccomp profile`)
}

// On Engine 20.10 the keys it cannot express are named with their service:
// refused where the container would differ, warned where it would not.
func TestPlanNamesKeysTheEngineLacks(t *testing.T) {
	got := planErr(t, `
services:
  web:
    image: a
    devices: ["vendor.com/gpu=all"]
    volumes: [{type: bind, source: ./b, target: /b, read_only: true, bind: {recursive: readonly}}]
`, func(_ *types.Project, st *Observed) { st.APIVersion = "1.41" })
	wantIn(t, planErr(t, `services: {web: {image: a, networks: {default: {interface_name: eth7}}}}`,
		func(_ *types.Project, st *Observed) { st.APIVersion = "1.48" }),
		`service "web": networks.default.interface_name needs Docker Engine 28.1 or later (API 1.49; this engine speaks API 1.48)`)
	wantIn(t, got,
		`service "web": devices vendor.com/gpu=all (CDI device names) needs Docker Engine 25.0 or later (API 1.44`,
		`service "web": volumes[0] (target /b) bind.recursive: readonly needs Docker Engine 25.0 or later (API 1.44`)

	p := mustLoad(t, `
services:
  web:
    image: a
    annotations: {k: v}
    volumes:
      - {type: bind, source: ./b, target: /b, read_only: true, bind: {recursive: writable}}
      - {type: npipe, source: \\.\pipe\x, target: \\.\pipe\x}
      - {type: bind, source: ./c, target: /c, bind: {selinux: z, recursive: disabled}}
    secrets: [{source: s, uid: "1000", mode: 0400}]
secrets: {s: {file: ./s.txt}}
`)
	plan := mustPlan(t, p, Observed{APIVersion: "1.41", Images: images(p)}, UpOptions{})
	wantWarnings(t, plan.Warnings,
		`service "web": annotations is not applied: it needs Docker Engine 24.0 or later (API 1.43`,
		`service "web": volumes[0] (target /b) bind.recursive: writable is not applied: it needs Docker Engine 25.0`,
		`service "web": volumes[1] (target \\.\pipe\x) type: npipe is not applied (Windows only), ignored`,
		`service "web": secrets.s: uid, gid and mode are not applied to a secret from a file`,
		`service "web": volumes[2] (target /c) bind.selinux is not applied together with bind.recursive, ignored`)
	spec := createSpec(t, plan, "demo-web-1")
	if spec.Annotations != nil || spec.Mounts[0].BindRecursive != "" {
		t.Errorf("the old engine's spec keeps what it would ignore: %v %+v", spec.Annotations, spec.Mounts[0])
	}
	if strings.Contains(strings.Join(plan.Warnings, "\n"), "volumes[0] (target /b) bind.recursive: readonly") {
		t.Error("writable named as readonly")
	}
}

// The proxy variables reach each container unless its service sets (or
// unsets) them itself; the config hash does not move with them.
func TestProxyEnvironment(t *testing.T) {
	p := mustLoad(t, `services: {web: {image: a, environment: [HTTP_PROXY=own, no_proxy, KEEP=1]}}`)
	proxy := map[string]string{"HTTP_PROXY": "http://cfg", "http_proxy": "http://cfg", "NO_PROXY": "x", "no_proxy": "x"}
	plan := mustPlan(t, p, Observed{APIVersion: "1.41", Images: images(p)}, UpOptions{ProxyEnv: proxy})
	spec := createSpec(t, plan, "demo-web-1")
	want := []string{"HTTP_PROXY=own", "KEEP=1", "NO_PROXY=x", "http_proxy=http://cfg", "no_proxy"}
	if !reflect.DeepEqual(spec.Environment, want) {
		t.Errorf("got %q, want %q", spec.Environment, want)
	}
	plain := createSpec(t, mustPlan(t, p, Observed{APIVersion: "1.41", Images: images(p)}, UpOptions{}), "demo-web-1")
	if spec.Labels["com.docker.compose.config-hash"] != plain.Labels["com.docker.compose.config-hash"] {
		t.Error("the proxy settings change the config hash")
	}
}

// enable_ipv4: false needs API 1.48: an older engine would give the network
// IPv4 anyway, so the plan is refused, naming the network.
func TestEnableIPv4Gated(t *testing.T) {
	yaml := `
services: {web: {image: a, networks: [v6]}}
networks: {v6: {enable_ipv4: false, enable_ipv6: true}}
`
	wantIn(t, planErr(t, yaml, func(_ *types.Project, st *Observed) { st.APIVersion = "1.47" }),
		`network "v6": enable_ipv4: false needs Docker Engine 28.0 or later (API 1.48; this engine speaks API 1.47)`)
	p := mustLoad(t, yaml)
	mustPlan(t, p, Observed{APIVersion: "1.48", Images: images(p)}, UpOptions{})
}
