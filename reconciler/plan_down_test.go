package reconciler

import (
	"strings"
	"testing"

	"berth/engine"
)

func TestDownPlanStopsInReverseOrderThenRemoves(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	assertPlan(t, NewDownPlan(p, st, DownOptions{}), `
#0 stop demo-web-1
#1 stop demo-db-1 after #0
#2 remove demo-db-1 after #0,#1
#3 remove demo-web-1 after #0,#1
#4 remove-network demo_default after #2,#3`)
}

func TestDownPlanVolumesImagesOrphans(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	st.Containers[0].State = engine.StateExited // demo-db-1: nothing to stop
	p2 := mustLoad(t, strings.Replace(webDB, "    depends_on: [db]\n  db:\n    image: busybox\n    volumes: [data:/data]\n", "", 1))
	got := NewDownPlan(p2, st, DownOptions{})
	assertPlan(t, got, `
#0 stop demo-web-1
#1 remove demo-web-1 after #0
#2 remove-network demo_default after #1`)
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "[demo-db-1]") {
		t.Errorf("warnings %q", got.Warnings)
	}
	assertPlan(t, NewDownPlan(p, st, DownOptions{Volumes: true, RemoveImages: "all"}), `
#0 stop demo-web-1
#1 remove demo-db-1 after #0
#2 remove demo-web-1 after #0
#3 remove-network demo_default after #1,#2
#4 remove-volume demo_data after #1,#2
#5 remove-image busybox after #1,#2`)
	assertPlan(t, NewDownPlan(p, st, DownOptions{RemoveImages: "local"}), `
#0 stop demo-web-1
#1 remove demo-db-1 after #0
#2 remove demo-web-1 after #0
#3 remove-network demo_default after #1,#2`)
}
