package reconciler

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/network"
	"berth/project"
)

// planErr plans and returns the error, failing when there is none.
func planErr(t *testing.T, yaml string, st func(*types.Project, *Observed)) string {
	t.Helper()
	p := mustLoad(t, yaml)
	obs := Observed{Images: images(p), External: map[string]bool{}, Files: map[string]bool{}}
	if st != nil {
		st(p, &obs)
	}
	plan, err := NewPlan(p, obs, UpOptions{})
	if err == nil {
		t.Fatalf("no error; plan:\n%s", plan)
	}
	return err.Error()
}

func wantIn(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("error %q lacks %q", got, w)
		}
	}
}

func TestPlanMissingExternalNetwork(t *testing.T) {
	got := planErr(t, `
services: {web: {image: busybox, networks: [outside]}}
networks: {outside: {external: true, name: corp-net}}
`, func(_ *types.Project, st *Observed) { st.External["network:corp-net"] = false })
	wantIn(t, got, `service "web"`, "network corp-net declared as external, but could not be found")
}

func TestPlanExternalNetworkPresent(t *testing.T) {
	p := mustLoad(t, `
services: {web: {image: busybox, networks: [outside]}}
networks: {outside: {external: true, name: corp-net}}
`)
	got := mustPlan(t, p, Observed{Images: images(p), External: map[string]bool{"network:corp-net": true}}, UpOptions{})
	assertPlan(t, got, `
#0 create demo-web-1 (not found)
#1 start demo-web-1 after #0`)
}

func TestPlanMissingExternalVolume(t *testing.T) {
	got := planErr(t, `
services: {db: {image: busybox, volumes: [data:/data]}}
volumes: {data: {external: true}}
`, func(_ *types.Project, st *Observed) { st.External["volume:data"] = false })
	wantIn(t, got, `service "db"`, `external volume "data" not found`)
}

func TestPlanMissingImageWithoutBuild(t *testing.T) {
	got := planErr(t, `services: {web: {image: nowhere/app:1, pull_policy: never}}`, func(_ *types.Project, st *Observed) { st.Images = nil })
	wantIn(t, got, `service "web"`, `image "nowhere/app:1"`)
}

func TestPlanMissingSecretFile(t *testing.T) {
	got := planErr(t, `
services: {web: {image: busybox, secrets: [token], configs: [conf]}}
secrets: {token: {file: ./token.txt}}
configs: {conf: {file: ./app.conf}}
`, func(p *types.Project, st *Observed) {
		st.Files[p.Secrets["token"].File] = false
		st.Files[p.Configs["conf"].File] = false
	})
	wantIn(t, got, `service "web": secret "token": file `, `token.txt not found`, `service "web": config "conf": file `, "app.conf not found")
}

func TestPlanSecretFromUnsetVariable(t *testing.T) {
	got := planErr(t, `
services: {web: {image: busybox, secrets: [token]}}
secrets: {token: {environment: TOKEN}}
`, nil)
	wantIn(t, got, `service "web": environment variable "TOKEN" required by secret "token" is not set`)
}

func TestPlanHostPortPublishedTwice(t *testing.T) {
	got := planErr(t, `
services:
  a: {image: busybox, ports: ["8080:80"]}
  b: {image: busybox, ports: ["127.0.0.1:8080:8080"]}
  c: {image: busybox, ports: ["8080:80/udp"]}
  d: {image: busybox, ports: ["9100:80"], scale: 2}
  e: {image: busybox, ports: ["9000-9002:90"], scale: 3}
`, nil)
	wantIn(t, got, `service "b": host port 127.0.0.1:8080/tcp is already published by service "a"`,
		`service "d": 2 replicas cannot all publish host port 0.0.0.0:9100/tcp`)
	if strings.Contains(got, `service "c"`) || strings.Contains(got, `service "e"`) {
		t.Errorf("udp and a port range are no conflict: %s", got)
	}
}

func TestPlanPortsOnDistinctAddressesAreFine(t *testing.T) {
	p := mustLoad(t, `
services:
  a: {image: busybox, ports: ["127.0.0.1:8080:80"]}
  b: {image: busybox, ports: ["127.0.0.2:8080:80", "8081:80"]}
`)
	if _, err := NewPlan(p, Observed{Images: images(p)}, UpOptions{}); err != nil {
		t.Fatal(err)
	}
}

// drifted is the observed state after a fresh up of yaml, with the network
// demo_default changed by edit.
func drifted(t *testing.T, yaml string, edit func(*network.Info)) Observed {
	t.Helper()
	p := mustLoad(t, yaml)
	st := afterUp(t, p, UpOptions{})
	for i := range st.Networks {
		st.Networks[i].Driver = "bridge"
		edit(&st.Networks[i])
	}
	return st
}

const netYAML = `
services: {web: {image: busybox}}
networks:
  default: {driver_opts: {com.docker.network.bridge.name: br-demo}, labels: {team: a}}
`

// A network whose settings changed is recreated; the plan names the
// setting (plan_network_drift_test.go shows the whole recreate).
func TestPlanNetworkDrift(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"label", strings.Replace(netYAML, "team: a", "team: b", 1), "labels.team"},
		{"driver", strings.Replace(netYAML, "default: {", "default: {driver: macvlan, ", 1), "driver"},
		{"options", strings.Replace(netYAML, "br-demo", "br-other", 1), "driver_opts"},
		{"ipam", strings.Replace(netYAML, "default: {", "default: {ipam: {config: [{subnet: 10.9.0.0/24}]}, ", 1), "ipam"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := drifted(t, netYAML, func(*network.Info) {})
			plan := mustPlan(t, mustLoad(t, c.yaml), st, UpOptions{})
			wantIn(t, plan.String(), "remove-network demo_default (config changed: "+c.want+")")
			wantIn(t, plan.String(), "create-network demo_default (config changed: "+c.want+")")
		})
	}
}

func TestPlanNetworkKeyLabelDrift(t *testing.T) {
	st := drifted(t, netYAML, func(n *network.Info) { n.Labels["com.docker.compose.network"] = "other" })
	plan := mustPlan(t, mustLoad(t, netYAML), st, UpOptions{})
	wantIn(t, plan.String(), "create-network demo_default (config changed: labels.com.docker.compose.network)")
}

func TestPlanNetworkWithoutFieldsLabelComparesDriverAndLabels(t *testing.T) {
	st := drifted(t, netYAML, func(n *network.Info) { delete(n.Labels, project.LabelNetworkFields) })
	p := mustLoad(t, strings.Replace(netYAML, "br-demo", "br-other", 1))
	assertPlan(t, mustPlan(t, p, st, UpOptions{}), ``)
}

func TestPlanOptionalDependency(t *testing.T) {
	p := mustLoad(t, `
services:
  db: {image: busybox, healthcheck: {test: [CMD, "true"]}}
  web:
    image: busybox
    depends_on: {db: {condition: service_healthy, required: false}}
`)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 create demo-db-1 (not found) after #0
#2 start demo-db-1 after #1
#3 create demo-web-1 (not found) after #0
#4 wait-healthy demo-db-1 after #2
#5 start demo-web-1 after #3,#4 (optional #4)`)
	if !got.Actions[4].Optional {
		t.Error("the wait only an optional dependent needs is not optional")
	}
}

func TestPlanPullPolicies(t *testing.T) {
	const yaml = `
services:
  web: {image: busybox}
  app: {image: demo/app, build: {context: .}}
`
	cases := []struct{ pull, missing, want, err string }{
		{pull: "missing", want: ""},
		{pull: "never", want: ""},
		{pull: "never", missing: "busybox", err: `service "web": image "busybox" not found locally and pull policy is "never"`},
		{pull: "missing", missing: "busybox", want: "#0 pull busybox (missing)\n"},
		{pull: "always", want: "#0 pull busybox (pull_policy: always)\n"},
		{pull: "build", want: "#0 build demo/app (--build)"},
		{pull: "never", missing: "demo/app", want: "#0 build demo/app (not found)"},
	}
	for _, c := range cases {
		t.Run(c.pull+"/"+c.missing, func(t *testing.T) {
			p := mustLoad(t, yaml)
			st := afterUp(t, p, UpOptions{})
			delete(st.Images, c.missing)
			plan, err := NewPlan(p, st, UpOptions{Pull: c.pull})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); !strings.HasPrefix(got, c.want) || (c.want == "" && got != "") {
				t.Errorf("plan:\n%s\nwant it to begin with %q", got, c.want)
			}
		})
	}
}

func TestPlanAlwaysRecreateDeps(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	got := mustPlan(t, p, st, UpOptions{Services: []string{"web"}, AlwaysRecreateDeps: true})
	assertPlan(t, got, `
#0 create demo-db-1 as replacement_demo-db-1 (--always-recreate-deps)
#1 stop demo-db-1 (--always-recreate-deps) after #0
#2 remove demo-db-1 (--always-recreate-deps) after #1
#3 rename demo-db-1 from replacement_demo-db-1 (--always-recreate-deps) after #2
#4 start demo-db-1 after #3`)
	// With no service named, every service is a target, none a dependency.
	assertPlan(t, mustPlan(t, p, st, UpOptions{AlwaysRecreateDeps: true}), ``)
}
