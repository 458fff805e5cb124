package reconciler

import (
	"maps"
	"slices"
	"testing"

	"berth/project"
)

// The config hash and the per-field digests go through one list of fields
// that do not count (project.NotCounted): a change moves the hash exactly
// when it moves a field digest, so "config changed" always names a field.
func TestHashAndFieldsAgreeOnWhatCounts(t *testing.T) {
	base := `services: {web: {image: nginx, deploy: {replicas: 1}}, db: {image: pg}}`
	tests := []struct {
		field   string // a NotCounted entry, or "" for a field that counts
		yaml    string
		changed []string // fields the plan would name
	}{
		{"build", `services: {web: {image: nginx, build: {context: .}, deploy: {replicas: 1}}, db: {image: pg}}`, nil},
		{"pull_policy", `services: {web: {image: nginx, pull_policy: never, deploy: {replicas: 1}}, db: {image: pg}}`, nil},
		{"scale", `services: {web: {image: nginx, scale: 1, deploy: {replicas: 1}}, db: {image: pg}}`, nil},
		{"deploy.replicas", `services: {web: {image: nginx, deploy: {replicas: 3}}, db: {image: pg}}`, nil},
		{"depends_on", `services: {web: {image: nginx, depends_on: [db], deploy: {replicas: 1}}, db: {image: pg}}`, nil},
		{"profiles", `services: {web: {image: nginx, profiles: [a], deploy: {replicas: 1}}, db: {image: pg}}`, nil},
		{"", `services: {web: {image: nginx, deploy: {replicas: 1, resources: {limits: {memory: 64m}}}}, db: {image: pg}}`, []string{"deploy"}},
		{"", `services: {web: {image: nginx, environment: {A: "1"}, deploy: {replicas: 1}}, db: {image: pg}}`, []string{"environment.A"}},
		{"", `services: {web: {image: nginx}, db: {image: pg}}`, []string{"deploy"}},
	}
	b := mustLoad(t, base).Services["web"]
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			p := mustLoad(t, tt.yaml)
			if tt.field == "profiles" {
				p.Services = p.DisabledServices // a profile the run does not enable
			}
			s := p.Services["web"]
			hashMoved := project.ConfigHash(s) != project.ConfigHash(b)
			changed := changedFields(fieldHashes(b), fieldHashes(s))
			if hashMoved != (len(changed) > 0) || !slices.Equal(changed, tt.changed) {
				t.Errorf("hash moved %v, fields changed %v; want fields %v", hashMoved, changed, tt.changed)
			}
			covered[tt.field] = true
		})
	}
	for _, f := range project.NotCounted {
		if !covered[f] {
			t.Errorf("project.NotCounted entry %q has no case here", f)
		}
	}
	delete(covered, "")
	if extra := slices.DeleteFunc(slices.Sorted(maps.Keys(covered)), func(f string) bool { return slices.Contains(project.NotCounted, f) }); len(extra) > 0 {
		t.Errorf("cases for fields NotCounted does not list: %v", extra)
	}
}
