package stack

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
)

// recorder is an engine.Swarm that records the calls Apply makes and
// answers with made-up IDs; the e2e tests hold the real engine to them.
type recorder struct {
	calls []string
	specs map[string]swarm.ServiceSpec
}

func (r *recorder) call(format string, a ...any) {
	r.calls = append(r.calls, fmt.Sprintf(format, a...))
}

func (r *recorder) SwarmInfo(context.Context) (engine.SwarmInfo, error) {
	return engine.SwarmInfo{}, nil
}
func (r *recorder) Nodes(context.Context) ([]swarm.Node, error) { return nil, nil }
func (r *recorder) ListServices(context.Context, string) ([]swarm.Service, error) {
	return nil, nil
}
func (r *recorder) CreateService(_ context.Context, spec swarm.ServiceSpec) (string, []string, error) {
	r.call("create-service %s", spec.Name)
	r.specs[spec.Name] = spec
	return "svc-" + spec.Name, nil, nil
}
func (r *recorder) UpdateService(_ context.Context, id string, v swarm.Version, spec swarm.ServiceSpec) ([]string, error) {
	r.call("update-service %s at %d", id, v.Index)
	r.specs[spec.Name] = spec
	return []string{"engine warning"}, nil
}
func (r *recorder) RemoveService(_ context.Context, id string) error {
	r.call("remove-service %s", id)
	return nil
}
func (r *recorder) ListTasks(context.Context, string) ([]swarm.Task, error) {
	return nil, nil
}
func (r *recorder) ServiceLogs(context.Context, string, engine.LogOptions) (io.ReadCloser, error) {
	return nil, nil
}
func (r *recorder) ListStackNetworks(context.Context, string) ([]engine.SwarmNetwork, error) {
	return nil, nil
}
func (r *recorder) CreateStackNetwork(_ context.Context, n engine.SwarmNetwork) (string, error) {
	r.call("create-network %s %s", n.Name, n.Driver)
	return "net-" + n.Name, nil
}
func (r *recorder) RemoveStackNetwork(_ context.Context, id string) error {
	r.call("remove-network %s", id)
	return nil
}
func (r *recorder) ListSecrets(context.Context, string) ([]swarm.Secret, error) { return nil, nil }
func (r *recorder) CreateSecret(_ context.Context, s swarm.SecretSpec) (string, error) {
	r.call("create-secret %s %s", s.Name, s.Labels[LabelObject])
	return "sec-" + s.Labels[LabelObject], nil
}
func (r *recorder) RemoveSecret(_ context.Context, id string) error {
	r.call("remove-secret %s", id)
	return nil
}
func (r *recorder) ListConfigs(context.Context, string) ([]swarm.Config, error) { return nil, nil }
func (r *recorder) CreateConfig(_ context.Context, s swarm.ConfigSpec) (string, error) {
	r.call("create-config %s", s.Labels[LabelObject])
	return "cfg-" + s.Labels[LabelObject], nil
}
func (r *recorder) RemoveConfig(_ context.Context, id string) error {
	r.call("remove-config %s", id)
	return nil
}
func (r *recorder) SwarmChanges(context.Context, string) (<-chan engine.SwarmChange, <-chan error) {
	return nil, nil
}

func TestApplyFillsObjectIDsInOrder(t *testing.T) {
	d := desired(t, strings.Replace(planYAML, "service_healthy", "service_started", 1), nil)
	plan, err := NewPlan(d, manager(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{specs: map[string]swarm.ServiceSpec{}}
	var progress []string
	err = Apply(t.Context(), r, plan, manager(), ApplyOptions{}, func(a Action, s Status, detail string) {
		progress = append(progress, fmt.Sprintf("%s %s %s", a.Op, s, detail))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "create-network demo_default overlay\ncreate-secret " + d.Secrets[0].Name + " pw\ncreate-service demo_db\ncreate-service demo_web"
	if got := strings.Join(r.calls, "\n"); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
	ref := r.specs["demo_web"].TaskTemplate.ContainerSpec.Secrets[0]
	if ref.SecretID != "sec-pw" || ref.SecretName != d.Secrets[0].Name {
		t.Errorf("secret reference %+v", ref)
	}
	if d.Services[1].Spec.TaskTemplate.ContainerSpec.Secrets[0].SecretID != "" {
		t.Error("Apply changed the desired spec")
	}
	if len(progress) != 8 {
		t.Errorf("progress %q", progress)
	}
}

func TestApplyStopsAtTheFirstFailure(t *testing.T) {
	d := desired(t, `services: {a: {image: x, secrets: [gone]}}
secrets: {gone: {external: true}}`, nil)
	plan, err := NewPlan(d, manager(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{specs: map[string]swarm.ServiceSpec{}}
	err = Apply(t.Context(), r, plan, manager(), ApplyOptions{}, func(Action, Status, string) {})
	if err == nil || !strings.Contains(err.Error(), `create-service demo_a: secret "gone" not found`) {
		t.Errorf("err %v", err)
	}
	if got := strings.Join(r.calls, "\n"); got != "create-network demo_default overlay" {
		t.Errorf("calls %q", got)
	}
}
