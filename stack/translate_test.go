package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// mustLoad loads inline YAML as project "demo", with env as its
// environment and the files as files of its directory.
func mustLoad(t *testing.T, yaml string, env map[string]string, files map[string]string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: dir + "/compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping(env),
	}, func(o *loader.Options) { o.SetProjectName("demo", true) })
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

// resolveOne translates a one-service project and returns that service.
func resolveOne(t *testing.T, yaml string) Service {
	t.Helper()
	d, err := Resolve(mustLoad(t, yaml, nil, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Services) != 1 {
		t.Fatalf("services: %d", len(d.Services))
	}
	return d.Services[0]
}

// js renders a value as JSON, so tests compare whole parts in one line.
func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func check(t *testing.T, what string, got any, want string) {
	t.Helper()
	if g := js(got); g != want {
		t.Errorf("%s:\n got %s\nwant %s", what, g, want)
	}
}

func TestTranslateNamesAndLabels(t *testing.T) {
	s := resolveOne(t, `
services:
  web:
    image: busybox
    labels: {a: "1"}
    deploy: {labels: {b: "2"}}`)
	if s.Spec.Name != "demo_web" {
		t.Errorf("name %q", s.Spec.Name)
	}
	check(t, "container labels", without(s.Spec.TaskTemplate.ContainerSpec.Labels, LabelTask), `{"a":"1","com.docker.stack.namespace":"demo"}`)
	if l := s.Spec.Labels; l["b"] != "2" || l[LabelNamespace] != "demo" || l[LabelImage] != "busybox" || l[LabelDigests] == "" {
		t.Errorf("service labels %v", l)
	}
	check(t, "networks", s.Spec.TaskTemplate.Networks, `[{"Target":"demo_default","Aliases":["web"]}]`)
}

func TestTranslateReplicasAndModes(t *testing.T) {
	check(t, "default", resolveOne(t, `services: {a: {image: x}}`).Spec.Mode, `{"Replicated":{"Replicas":1}}`)
	check(t, "replicas", resolveOne(t, `services: {a: {image: x, deploy: {replicas: 3}}}`).Spec.Mode, `{"Replicated":{"Replicas":3}}`)
	check(t, "scale", resolveOne(t, `services: {a: {image: x, scale: 2}}`).Spec.Mode, `{"Replicated":{"Replicas":2}}`)
	check(t, "global", resolveOne(t, `services: {a: {image: x, deploy: {mode: global}}}`).Spec.Mode, `{"Global":{}}`)
	check(t, "job", resolveOne(t, `services: {a: {image: x, deploy: {mode: replicated-job, replicas: 2}}}`).Spec.Mode, `{"ReplicatedJob":{"TotalCompletions":2}}`)
}

func TestTranslateResources(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 64M, pids: 100}
        reservations: {cpus: "0.25", memory: 32M}`)
	check(t, "resources", s.Spec.TaskTemplate.Resources,
		`{"Limits":{"NanoCPUs":500000000,"MemoryBytes":67108864,"Pids":100},"Reservations":{"NanoCPUs":250000000,"MemoryBytes":33554432}}`)
	s = resolveOne(t, `services: {a: {image: x, cpus: 1.5, mem_limit: 1g}}`)
	check(t, "legacy", s.Spec.TaskTemplate.Resources, `{"Limits":{"NanoCPUs":1500000000,"MemoryBytes":1073741824}}`)
}

func TestTranslatePlacement(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    platform: linux/amd64
    deploy:
      placement:
        constraints: [node.role == manager]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 2`)
	check(t, "placement", s.Spec.TaskTemplate.Placement,
		`{"Constraints":["node.role == manager"],"Preferences":[{"Spread":{"SpreadDescriptor":"node.labels.zone"}}],"MaxReplicas":2,"Platforms":[{"Architecture":"amd64","OS":"linux"}]}`)
}

func TestTranslateUpdateRollbackEndpoint(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    deploy:
      endpoint_mode: dnsrr
      update_config: {parallelism: 2, delay: 10s, order: start-first, failure_action: rollback, monitor: 5s, max_failure_ratio: 0.5}
      rollback_config: {delay: 1s}`)
	check(t, "update", s.Spec.UpdateConfig, `{"Parallelism":2,"Delay":10000000000,"FailureAction":"rollback","Monitor":5000000000,"MaxFailureRatio":0.5,"Order":"start-first"}`)
	check(t, "rollback", s.Spec.RollbackConfig, `{"Parallelism":1,"Delay":1000000000,"MaxFailureRatio":0,"Order":""}`)
	check(t, "endpoint", s.Spec.EndpointSpec, `{"Mode":"dnsrr"}`)
}

func TestTranslateRestart(t *testing.T) {
	for _, c := range []struct{ restart, want, warn string }{
		{"always", `{"Condition":"any"}`, ""},
		{"no", `{"Condition":"none"}`, ""},
		{"on-failure", `{"Condition":"on-failure"}`, ""},
		{"on-failure:3", `{"Condition":"on-failure","MaxAttempts":3}`, ""},
		{"unless-stopped", `{"Condition":"any"}`, "unless-stopped becomes Swarm's restart condition any"},
	} {
		s := resolveOne(t, `services: {a: {image: x, restart: "`+c.restart+`"}}`)
		check(t, c.restart, s.Spec.TaskTemplate.RestartPolicy, c.want)
		if got := strings.Join(s.Warnings, "\n"); !strings.Contains(got, c.warn) || (c.warn == "" && got != "") {
			t.Errorf("%s: warnings %q, want %q", c.restart, got, c.warn)
		}
	}
	s := resolveOne(t, `services: {a: {image: x, deploy: {restart_policy: {condition: on-failure, max_attempts: 5, delay: 2s, window: 1m}}}}`)
	check(t, "deploy.restart_policy", s.Spec.TaskTemplate.RestartPolicy, `{"Condition":"on-failure","Delay":2000000000,"MaxAttempts":5,"Window":60000000000}`)
}

func TestTranslateHealthcheck(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    healthcheck: {test: ["CMD", "true"], interval: 2s, timeout: 1s, retries: 3, start_period: 5s}`)
	check(t, "healthcheck", s.Spec.TaskTemplate.ContainerSpec.Healthcheck,
		`{"Test":["CMD","true"],"Interval":2000000000,"Timeout":1000000000,"StartPeriod":5000000000,"Retries":3}`)
	s = resolveOne(t, `services: {a: {image: x, healthcheck: {disable: true}}}`)
	check(t, "disabled", s.Spec.TaskTemplate.ContainerSpec.Healthcheck, `{"Test":["NONE"]}`)
}

func TestTranslatePorts(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    ports:
      - "8080:80"
      - {target: 53, published: "5353", protocol: udp, mode: host}`)
	check(t, "ports", s.Spec.EndpointSpec,
		`{"Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},{"Protocol":"udp","TargetPort":53,"PublishedPort":5353,"PublishMode":"host"}]}`)
	if _, err := Resolve(mustLoad(t, `services: {a: {image: x, ports: ["8000-8001:80"]}}`, nil, nil), Options{}); err == nil ||
		!strings.Contains(err.Error(), `service "a": published port "8000-8001"`) {
		t.Errorf("range: %v", err)
	}
}

func TestTranslateVolumes(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    volumes: [data:/data, ./conf:/conf:ro, {type: tmpfs, target: /tmp, tmpfs: {size: 1024}}]
volumes:
  data: {driver_opts: {o: bind}}`)
	m := s.Spec.TaskTemplate.ContainerSpec.Mounts
	check(t, "volume", m[0], `{"Type":"volume","Source":"demo_data","Target":"/data","VolumeOptions":{"Labels":{"com.docker.stack.namespace":"demo"},"DriverConfig":{"Options":{"o":"bind"}}}}`)
	if m[1].Type != "bind" || !strings.HasSuffix(m[1].Source, "/conf") || !m[1].ReadOnly {
		t.Errorf("bind %s", js(m[1]))
	}
	check(t, "tmpfs", m[2], `{"Type":"tmpfs","Target":"/tmp","TmpfsOptions":{"SizeBytes":1024}}`)
	if w := strings.Join(s.Warnings, "\n"); !strings.Contains(w, "is a path on each node") {
		t.Errorf("no bind warning: %q", w)
	}
}

func TestTranslateNetworks(t *testing.T) {
	p := mustLoad(t, `
services:
  a:
    image: x
    networks:
      front: {aliases: [web]}
      ext: {}
networks:
  front: {attachable: true}
  ext: {external: true, name: shared}`, nil, nil)
	d, err := Resolve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "attachments", d.Services[0].Spec.TaskTemplate.Networks,
		`[{"Target":"shared","Aliases":["a"]},{"Target":"demo_front","Aliases":["a","web"]}]`)
	check(t, "networks", d.Networks, `[{"ID":"","Name":"demo_front","Driver":"overlay","Attachable":true,"Internal":false,"Options":null,"Labels":{"com.docker.stack.namespace":"demo"},"IPAM":null}]`)
}

func TestTranslateContainerKeys(t *testing.T) {
	p := mustLoad(t, `
services:
  a:
    image: x
    environment: {B: "2", A: "1"}
    env_file: [a.env]
    command: [serve, --port, "80"]
    entrypoint: [/bin/app]
    user: "1000:1000"
    working_dir: /srv
    init: true
    stop_grace_period: 30s
    stop_signal: SIGINT
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    sysctls: {net.core.somaxconn: "1024"}
    ulimits: {nofile: {soft: 100, hard: 200}, nproc: 50}
    logging: {driver: json-file, options: {max-size: 1m}}
    hostname: h
    extra_hosts: ["db:10.0.0.2"]
    dns: [8.8.8.8]
    read_only: true
    tty: true`, nil, map[string]string{"a.env": "C=3\n"})
	d, err := Resolve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Services[0]
	c := s.Spec.TaskTemplate.ContainerSpec
	check(t, "env", c.Env, `["A=1","B=2","C=3"]`)
	check(t, "command", []any{c.Command, c.Args}, `[["/bin/app"],["serve","--port","80"]]`)
	if c.User != "1000:1000" || c.Dir != "/srv" || c.Init == nil || !*c.Init || *c.StopGracePeriod != 30*time.Second ||
		c.StopSignal != "SIGINT" || c.Hostname != "h" || !c.ReadOnly || !c.TTY {
		t.Errorf("container %s", js(c))
	}
	check(t, "caps", []any{c.CapabilityAdd, c.CapabilityDrop}, `[["NET_ADMIN"],["ALL"]]`)
	check(t, "sysctls", c.Sysctls, `{"net.core.somaxconn":"1024"}`)
	check(t, "ulimits", c.Ulimits, `[{"Name":"nofile","Hard":200,"Soft":100},{"Name":"nproc","Hard":50,"Soft":50}]`)
	check(t, "logging", s.Spec.TaskTemplate.LogDriver, `{"Name":"json-file","Options":{"max-size":"1m"}}`)
	check(t, "hosts", c.Hosts, `["10.0.0.2 db"]`)
	check(t, "dns", c.DNSConfig, `{"Nameservers":["8.8.8.8"]}`)
	if len(s.Warnings) != 0 {
		t.Errorf("warnings %q", s.Warnings)
	}
}

func TestTranslateUnsupportedOneWarning(t *testing.T) {
	s := resolveOne(t, `
services:
  a:
    image: x
    privileged: true
    devices: [/dev/null]
    pid: host
    network_mode: host
    container_name: cc
    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}`)
	if len(s.Warnings) != 1 {
		t.Fatalf("warnings %q, want one", s.Warnings)
	}
	want := "Swarm cannot express container_name, devices, network_mode, pid, privileged, deploy.resources.reservations.devices; these keys are ignored"
	if s.Warnings[0] != want {
		t.Errorf("warning\n got %q\nwant %q", s.Warnings[0], want)
	}
}

func TestTranslateSecretsAndConfigs(t *testing.T) {
	yaml := `
services:
  a:
    image: x
    secrets: [pw, {source: tok, target: token, mode: 0400, uid: "7"}]
    configs: [conf]
secrets:
  pw: {file: ./pw.txt}
  tok: {environment: TOKEN}
configs:
  conf: {content: "hello"}`
	resolve := func(token, pw string) Desired {
		d, err := Resolve(mustLoad(t, yaml, map[string]string{"TOKEN": token}, map[string]string{"pw.txt": pw}), Options{SecretKey: []byte("k")})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := resolve("t1", "p1")
	c := d.Services[0].Spec.TaskTemplate.ContainerSpec
	if len(c.Secrets) != 2 || c.Secrets[0].SecretName != d.Secrets[0].Name || c.Secrets[0].File.Name != "pw" ||
		c.Secrets[1].File.Name != "token" || c.Secrets[1].File.Mode != 0o400 || c.Secrets[1].File.UID != "7" {
		t.Errorf("secrets %s / %s", js(c.Secrets), js(d.Secrets))
	}
	if !strings.HasPrefix(d.Secrets[0].Name, "demo_pw-") || string(d.Secrets[1].Data) != "t1" {
		t.Errorf("objects %+v", d.Secrets)
	}
	if c.Configs[0].File.Name != "/conf" || string(d.Configs[0].Data) != "hello" {
		t.Errorf("configs %s", js(c.Configs))
	}
	// A new value is a new object, and the service's secrets field changes.
	d2 := resolve("t2", "p1")
	if d2.Secrets[0].Name != d.Secrets[0].Name || d2.Secrets[1].Name == d.Secrets[1].Name {
		t.Errorf("names %s → %s", js(names(d.Secrets)), js(names(d2.Secrets)))
	}
	if got := changedFields(d2.Services[0].Digests, d.Services[0].Digests); js(got) != `["secrets"]` {
		t.Errorf("changed %v", got)
	}
}

func TestDigestsNameTheChangedEnvironment(t *testing.T) {
	a := resolveOne(t, `services: {a: {image: x, environment: {A: "1", B: "1"}}}`)
	b := resolveOne(t, `services: {a: {image: x, environment: {A: "2", B: "1"}, deploy: {replicas: 2}}}`)
	if got := changedFields(b.Digests, a.Digests); js(got) != `["deploy.replicas","environment.A"]` {
		t.Errorf("changed %v", got)
	}
	if got := changedFields(a.Digests, project.DecodeDigests(a.Spec.Labels[LabelDigests])); len(got) != 0 {
		t.Errorf("label round trip: %v", got)
	}
}
