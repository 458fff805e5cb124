package reconciler

import (
	"strings"
	"testing"
	"time"
)

func TestPlanPullsBeforeCreates(t *testing.T) {
	p := mustLoad(t, `
services:
  web: {image: "reg.test:5000/web:1", depends_on: [db], platform: linux/amd64}
  db: {image: redis, pull_policy: always}
  cache: {image: redis, pull_policy: always}
  built: {image: demo/built, build: {context: .}}
`)
	st := Observed{Images: images(p)}
	delete(st.Images, "reg.test:5000/web:1")
	delete(st.Images, "demo/built")
	plan := mustPlan(t, p, st, UpOptions{})
	got := plan.String()
	for _, want := range []string{
		"#0 pull demo/built (missing)\n",
		"#1 pull redis (pull_policy: always)\n",
		"#2 pull reg.test:5000/web:1 (missing)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	if n := plan.Count(OpPull); n != 3 {
		t.Errorf("%d pulls, want 3 (redis once for db and cache):\n%s", n, got)
	}
	if plan.Count(OpBuild) != 0 {
		t.Errorf("a buildable image is pulled first, built only when the pull did not bring it:\n%s", got)
	}
	if s := plan.Actions[1].Pull.Services; strings.Join(s, ",") != "cache,db" {
		t.Errorf("redis pulled for %v, want cache and db", s)
	}
	if plan.Actions[2].Pull.Platform != "linux/amd64" {
		t.Errorf("web pulled for platform %q", plan.Actions[2].Pull.Platform)
	}
	for _, a := range plan.Actions {
		if a.Op == OpCreate && a.Service == "web" && !containsInt(a.After, 2) {
			t.Errorf("create of web does not wait for its pull: %v", a.After)
		}
	}
}

// A service with image: and build: is built without a pull attempt under
// --build and under pull_policy build or never, as Docker Compose does.
func TestPlanBuildsBuildableWithoutPull(t *testing.T) {
	for _, c := range []struct {
		policy string
		o      UpOptions
	}{{"", UpOptions{Build: true}}, {"build", UpOptions{}}, {"never", UpOptions{}}} {
		yaml := `services: {built: {image: demo/built, build: {context: .}}}`
		if c.policy != "" {
			yaml = `services: {built: {image: demo/built, build: {context: .}, pull_policy: ` + c.policy + `}}`
		}
		p := mustLoad(t, yaml)
		st := Observed{Images: images(p)}
		delete(st.Images, "demo/built")
		plan := mustPlan(t, p, st, c.o)
		if plan.Count(OpPull) != 0 || plan.Count(OpBuild) != 1 {
			t.Errorf("policy %q, --build %v: want a build and no pull:\n%s", c.policy, c.o.Build, plan)
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestPlanTimedPullPolicies(t *testing.T) {
	p := mustLoad(t, `services: {web: {image: busybox, pull_policy: daily}}`)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	st := Observed{Images: images(p), Pulled: map[string]time.Time{"busybox": now.Add(-2 * time.Hour)}}
	if got := mustPlan(t, p, st, UpOptions{Now: now}).String(); got != "#0 create-network demo_default (not found)\n#1 create demo-web-1 (not found) after #0\n#2 start demo-web-1 after #1\n" {
		t.Errorf("pulled 2h ago, daily:\n%s", got)
	}
	st.Pulled["busybox"] = now.Add(-25 * time.Hour)
	if got := mustPlan(t, p, st, UpOptions{Now: now}).String(); !strings.HasPrefix(got, "#0 pull busybox (pull_policy: daily, last pulled 2026-11-30T11:00:00Z)\n") {
		t.Errorf("pulled 25h ago, daily:\n%s", got)
	}
	if _, err := NewPlan(p, st, UpOptions{Pull: "sometimes"}); err == nil || !strings.Contains(err.Error(), `service "web"`) {
		t.Errorf("--pull sometimes: got %v", err)
	}
}
