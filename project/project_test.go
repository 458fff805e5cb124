package project

import (
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestNames(t *testing.T) {
	p := &types.Project{Name: "visits",
		Networks: types.Networks{"default": {}, "front": {Name: "shared-front"}},
		Volumes:  types.Volumes{"data": {}, "cache": {Name: "global-cache"}},
	}
	web := types.ServiceConfig{Name: "web"}
	tests := []struct{ got, want string }{
		{ContainerName("visits", web, 2), "visits-web-2"},
		{ContainerName("visits", types.ServiceConfig{Name: "web", ContainerName: "mine"}, 1), "mine"},
		{OneOffName("visits", "web", "0123456789ab"), "visits-web-run-0123456789ab"},
		{NetworkName(p, "default"), "visits_default"},
		{NetworkName(p, "front"), "shared-front"},
		{VolumeName(p, "data"), "visits_data"},
		{VolumeName(p, "cache"), "global-cache"},
		{ImageName(p, web), "visits-web"},
		{ImageName(p, withImage(web, "nginx:1.27")), "nginx:1.27"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func withImage(s types.ServiceConfig, image string) types.ServiceConfig {
	s.Image = image
	return s
}

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{
		"visits-app":    "visits-app",
		"My App":        "myapp",
		"__dir.v2":      "dirv2",
		"-_Project_1-":  "project_1-",
		"Ünïcode-stack": "ncode-stack",
	}
	for in, want := range tests {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReplicas(t *testing.T) {
	three, two := 3, 2
	tests := []struct {
		s    types.ServiceConfig
		want int
	}{
		{types.ServiceConfig{}, 1},
		{types.ServiceConfig{Deploy: &types.DeployConfig{Replicas: &two}}, 2},
		{types.ServiceConfig{Scale: &three, Deploy: &types.DeployConfig{Replicas: &two}}, 3},
	}
	for _, tt := range tests {
		if got := Replicas(tt.s); got != tt.want {
			t.Errorf("Replicas = %d, want %d", got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	p := &types.Project{Name: "visits", WorkingDir: "/src/visits", ComposeFiles: []string{"/src/visits/compose.yaml"}}
	s := types.ServiceConfig{Name: "web"}
	s.Labels = types.Labels{"team": "a", LabelProject: "spoofed"}
	s.DependsOn = types.DependsOnConfig{
		"redis": {Condition: types.ServiceConditionHealthy, Restart: true},
		"db":    {Condition: types.ServiceConditionStarted},
	}
	l := ContainerLabels(p, s, 2, "hash", "sha256:abc")
	want := map[string]string{
		"team": "a", LabelProject: "visits", LabelService: "web", LabelNumber: "2", LabelOneOff: "False",
		LabelConfigHash: "hash", LabelImage: "sha256:abc", LabelDependsOn: "db:service_started:false,redis:service_healthy:true",
		LabelWorkingDir: "/src/visits", LabelConfigFiles: "/src/visits/compose.yaml",
	}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("label %s = %q, want %q", k, l[k], v)
		}
	}
	if s.Labels[LabelProject] != "spoofed" {
		t.Error("ContainerLabels changed the service's own labels")
	}
}

func TestConfigHash(t *testing.T) {
	base := withImage(types.ServiceConfig{Name: "web"}, "busybox")
	base.Environment = types.NewMappingWithEquals([]string{"A=1"})
	same := base
	same.Build = &types.BuildConfig{Context: "."}
	same.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted}}
	scale := 4
	same.Scale = &scale
	if ConfigHash(base) != ConfigHash(same) {
		t.Error("build, depends_on and scale changed the config hash; they do not change the container")
	}
	changed := base
	changed.Environment = types.NewMappingWithEquals([]string{"A=2"})
	if ConfigHash(base) == ConfigHash(changed) {
		t.Error("an environment change left the config hash as it was")
	}
	if len(ConfigHash(base)) != 64 {
		t.Errorf("hash %q is not a sha256 hex digest", ConfigHash(base))
	}
}

func graphProject(deps map[string][]string) *types.Project {
	p := &types.Project{Services: types.Services{}}
	for name, ds := range deps {
		s := types.ServiceConfig{Name: name}
		s.DependsOn = types.DependsOnConfig{}
		for _, d := range ds {
			s.DependsOn[d] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
		}
		p.Services[name] = s
	}
	return p
}

func TestStartAndStopOrder(t *testing.T) {
	p := graphProject(map[string][]string{
		"web": {"api", "cache"}, "api": {"db"}, "db": nil, "cache": nil, "worker": {"db", "gone"},
	})
	order, err := StartOrder(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cache", "db", "worker", "api", "web"}; !slices.Equal(order, want) {
		t.Errorf("StartOrder = %v, want %v", order, want)
	}
	stop, _ := StopOrder(p)
	if want := []string{"web", "api", "worker", "db", "cache"}; !slices.Equal(stop, want) {
		t.Errorf("StopOrder = %v, want %v", stop, want)
	}
}

func TestCycleIsReportedInOrder(t *testing.T) {
	p := graphProject(map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": nil})
	if got := strings.Join(Cycle(p), " -> "); got != "a -> b -> c -> a" {
		t.Errorf("Cycle = %q", got)
	}
	if _, err := StartOrder(p); err == nil || err.Error() != "dependency cycle detected: a -> b -> c -> a" {
		t.Errorf("StartOrder error = %v", err)
	}
	if c := Cycle(graphProject(map[string][]string{"a": {"b"}, "b": nil})); c != nil {
		t.Errorf("Cycle of an acyclic graph = %v", c)
	}
}

func TestWithDependents(t *testing.T) {
	p := graphProject(map[string][]string{
		"web": {"api", "cache"}, "api": {"db"}, "db": nil, "cache": nil, "worker": {"db"},
	})
	all := func(types.ServiceDependency) bool { return true }
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"db"}, "api db web worker"},
		{[]string{"cache"}, "cache web"},
		{[]string{"web"}, "web"},
		{[]string{"api", "worker"}, "api web worker"},
	} {
		if got := strings.Join(WithDependents(p, c.names, all), " "); got != c.want {
			t.Errorf("WithDependents(%v) = %q, want %q", c.names, got, c.want)
		}
	}
	// Only the entries follow accepts are walked: api asks for restarts of db.
	api := p.Services["api"]
	api.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted, Restart: true}}
	p.Services["api"] = api
	restart := func(d types.ServiceDependency) bool { return d.Restart }
	if got := strings.Join(WithDependents(p, []string{"db"}, restart), " "); got != "api db" {
		t.Errorf("restart dependents of db = %q", got)
	}
}
