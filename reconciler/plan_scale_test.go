package reconciler

import (
	"testing"

	"berth/project"
)

func TestPlanScaleDownKeepsCurrentReplicas(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}}")
	st := afterUp(t, p, UpOptions{Scale: map[string]int{"web": 4}})
	for i := range st.Containers[:2] { // replicas 1 and 2 run an older image
		st.Containers[i].ImageID, st.Containers[i].Labels[project.LabelImage] = "sha256:old", "sha256:old"
	}
	assertPlan(t, mustPlan(t, p, st, UpOptions{Scale: map[string]int{"web": 2}}), `
#0 stop demo-web-2 (scale down)
#1 remove demo-web-2 (scale down) after #0
#2 stop demo-web-1 (scale down)
#3 remove demo-web-1 (scale down) after #2`)
	fresh := afterUp(t, p, UpOptions{Scale: map[string]int{"web": 3}})
	assertPlan(t, mustPlan(t, p, fresh, UpOptions{Scale: map[string]int{"web": 1}}), `
#0 stop demo-web-3 (scale down)
#1 remove demo-web-3 (scale down) after #0
#2 stop demo-web-2 (scale down)
#3 remove demo-web-2 (scale down) after #2`)
	gap := Observed{Images: fresh.Images, Networks: fresh.Networks}
	for _, c := range fresh.Containers {
		if c.Name != "demo-web-1" {
			gap.Containers = append(gap.Containers, c)
		}
	}
	assertPlan(t, mustPlan(t, p, gap, UpOptions{Scale: map[string]int{"web": 3}}), `
#0 create demo-web-1 (not found)
#1 start demo-web-1 after #0`)
}
