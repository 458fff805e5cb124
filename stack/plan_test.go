package stack

import (
	"strings"
	"testing"

	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
)

const planYAML = `
services:
  db:
    image: redis
    healthcheck: {test: ["CMD", "true"]}
  web:
    image: web
    environment: {A: "1"}
    secrets: [pw]
    depends_on: {db: {condition: service_healthy}}
    ports: [{target: 80, published: "8080", mode: host}]
secrets:
  pw: {environment: PW}
`

func manager() Observed {
	return Observed{Info: engine.SwarmInfo{LocalNodeState: "active", Manager: true, Nodes: 1},
		Nodes: []swarm.Node{{ID: "n1", Spec: swarm.NodeSpec{Role: swarm.NodeRoleManager}, Description: swarm.NodeDescription{Hostname: "h1"}}}}
}

func desired(t *testing.T, yaml string, env map[string]string) Desired {
	t.Helper()
	if env == nil {
		env = map[string]string{"PW": "s3cret"}
	}
	d, err := Resolve(mustLoad(t, yaml, env, nil), Options{SecretKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// deployed is the snapshot after a plan for d ran: what the swarm holds.
func deployed(d Desired) Observed {
	st := manager()
	for i, s := range d.Services {
		st.Services = append(st.Services, swarm.Service{ID: "id-" + s.Name, Spec: s.Spec, Meta: swarm.Meta{Version: swarm.Version{Index: uint64(10 + i)}}})
	}
	for _, n := range d.Networks {
		n.ID = "net-" + n.Name
		st.Networks = append(st.Networks, n)
	}
	for _, o := range d.Secrets {
		st.Secrets = append(st.Secrets, swarm.Secret{ID: "sec-" + o.Name, Spec: swarm.SecretSpec{Annotations: swarm.Annotations{Name: o.Name}}})
	}
	return st
}

func assertPlan(t *testing.T, p Plan, want string) {
	t.Helper()
	got := p.String()
	// Secret names carry a digest; the tests compare the rest.
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if !strings.Contains(got, strings.TrimSpace(line)) {
			t.Errorf("plan lacks %q\ngot:\n%s", strings.TrimSpace(line), got)
		}
	}
	if n := len(strings.Split(strings.TrimSpace(got), "\n")); strings.TrimSpace(want) != "" && n != len(strings.Split(strings.TrimSpace(want), "\n")) {
		t.Errorf("plan has %d lines:\n%s", n, got)
	}
}

func TestPlanFirstDeployInDependencyOrder(t *testing.T) {
	d := desired(t, planYAML, nil)
	p, err := NewPlan(d, manager(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, p, `
#0 create-network demo_default (not found)
#1 create-secret demo_pw-
#2 create-service demo_db (not found) after #0,#1
#3 wait-healthy demo_db (service_healthy) after #2
#4 create-service demo_web (not found) after #0,#1,#3`)
}

func TestPlanNothingChangedIsEmpty(t *testing.T) {
	d := desired(t, planYAML, nil)
	p, err := NewPlan(d, deployed(d), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.String(); s != "" {
		t.Errorf("plan:\n%s", s)
	}
}

func TestPlanChangedEnvUpdatesOnlyThatService(t *testing.T) {
	old := desired(t, planYAML, nil)
	d := desired(t, strings.Replace(planYAML, `A: "1"`, `A: "2"`, 1), nil)
	p, err := NewPlan(d, deployed(old), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, p, `#0 update-service demo_web (config changed: environment.A)`)
}

func TestPlanSecretChangeRollsAndRemovesTheOldVersion(t *testing.T) {
	old := desired(t, planYAML, nil)
	d := desired(t, planYAML, map[string]string{"PW": "other"})
	p, err := NewPlan(d, deployed(old), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, p, `
#0 create-secret demo_pw-
#1 update-service demo_web (config changed: secrets) after #0
#2 remove-secret `+old.Secrets[0].Name+` (no longer used) after #1`)
	if !strings.Contains(p.String(), "(content changed)") {
		t.Errorf("reason: %s", p)
	}
}

func TestPlanPrune(t *testing.T) {
	old := desired(t, strings.Replace(planYAML, "secrets:\n  pw", "  extra: {image: x, networks: [side]}\nnetworks: {side: {}}\nsecrets:\n  pw", 1), nil)
	d := desired(t, planYAML, nil)
	p, err := NewPlan(d, deployed(old), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 0 || !strings.Contains(strings.Join(p.Warnings, "\n"), "service demo_extra is not in the file; --prune removes it") {
		t.Errorf("without --prune: %s %q", p, p.Warnings)
	}
	p, err = NewPlan(d, deployed(old), PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, p, `
#0 remove-service demo_extra (not in the file (--prune))
#1 remove-network demo_side (no longer used (--prune)) after #0`)
}

func TestPlanPreflight(t *testing.T) {
	d := desired(t, planYAML, nil)
	st := manager()
	st.Info.Manager, st.Info.LocalNodeState = false, "inactive"
	if _, err := NewPlan(d, st, PlanOptions{}); err == nil || !strings.Contains(err.Error(), "not a swarm manager (swarm: inactive)") {
		t.Errorf("not a manager: %v", err)
	}
	st = manager()
	other := swarm.Service{Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "o_web", Labels: map[string]string{LabelNamespace: "o"}},
		EndpointSpec: &swarm.EndpointSpec{Ports: []swarm.PortConfig{{Protocol: "tcp", PublishedPort: 8080}}}}}
	st.Others = []swarm.Service{other}
	if _, err := NewPlan(d, st, PlanOptions{}); err == nil || err.Error() != `service "web": port 8080/tcp is already published by service o_web (stack o)` {
		t.Errorf("port taken: %v", err)
	}
	d = desired(t, `services: {a: {image: x, deploy: {placement: {constraints: [node.labels.zone == eu]}}}}`, nil)
	if _, err := NewPlan(d, manager(), PlanOptions{}); err == nil || !strings.Contains(err.Error(), `service "a": no node satisfies the placement constraints node.labels.zone == eu`) {
		t.Errorf("placement: %v", err)
	}
	d = desired(t, `services: {a: {image: x, deploy: {replicas: 2}, ports: [{target: 80, published: "80", mode: host}]}}`, nil)
	if _, err := NewPlan(d, manager(), PlanOptions{}); err == nil || !strings.Contains(err.Error(), "2 replicas publish ports in host mode, but only 1 node(s)") {
		t.Errorf("host ports: %v", err)
	}
}

func TestPlanCycle(t *testing.T) {
	d := desired(t, `services: {a: {image: x}, b: {image: x}}`, nil)
	d.Services[0].DependsOn = map[string]string{"b": "service_started"}
	d.Services[1].DependsOn = map[string]string{"a": "service_started"}
	if _, err := NewPlan(d, manager(), PlanOptions{}); err == nil || !strings.Contains(err.Error(), "dependency cycle: a -> b -> a") {
		t.Errorf("cycle: %v", err)
	}
}
