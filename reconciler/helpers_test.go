package reconciler

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// The reconciler tests' shared setup: inline YAML loaded as project "demo",
// plans made and checked as text, and the state a plan leaves behind.

// mustLoad loads inline YAML as project "demo", in a fresh directory and an
// empty environment, so a test's result depends on its YAML alone.
func mustLoad(t *testing.T, yaml string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	p, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: dir + "/compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("demo", true) })
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

// images says every service's image is present, with ID "sha256:<ref>".
func images(p *types.Project) map[string]engine.Image {
	out := map[string]engine.Image{}
	for _, s := range p.Services {
		ref := project.ImageName(p, s)
		out[ref] = engine.Image{ID: "sha256:" + ref}
	}
	return out
}

// applied is the state a plan leaves behind, as the engine would report it:
// every created container running, networks and volumes present.
func applied(t testing.TB, p *types.Project, plan Plan) Observed {
	t.Helper()
	st := Observed{Images: images(p)}
	for _, a := range plan.Actions {
		switch a.Op {
		case OpCreate:
			c := engine.Container{Name: a.Target, Labels: a.Container.Labels, ImageID: a.Container.Labels[project.LabelImage], State: engine.StateRunning}
			for _, ep := range a.Container.Networks {
				c.Networks = append(c.Networks, ep.Network)
			}
			st.Containers = append(st.Containers, c)
		case OpCreateNetwork:
			st.Networks = append(st.Networks, network.Info{Name: a.Target, Labels: a.Network.Labels})
		case OpCreateVolume:
			st.Volumes = append(st.Volumes, engine.Volume{Name: a.Target, Labels: a.Volume.Labels})
		}
	}
	return st
}

func mustPlan(t *testing.T, p *types.Project, st Observed, o UpOptions) Plan {
	t.Helper()
	plan, err := NewPlan(p, st, o)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return plan
}

func assertPlan(t *testing.T, got Plan, want string) {
	t.Helper()
	want = strings.TrimSpace(want)
	if g := strings.TrimSpace(got.String()); g != want {
		t.Errorf("plan:\n%s\nwant:\n%s", g, want)
	}
}

// afterUp is the state a first up of p leaves behind, its images present.
func afterUp(t *testing.T, p *types.Project, o UpOptions) Observed {
	t.Helper()
	return applied(t, p, mustPlan(t, p, Observed{Images: images(p)}, o))
}

// MustLoad is mustLoad for the external tests (package reconciler_test);
// like every _test.go name, it exists only in test builds.
var MustLoad = mustLoad
