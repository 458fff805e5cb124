package reconciler

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"berth/engine"
)

const labelledVolume = `
services:
  app:
    image: busybox
    volumes: [data:/data]
volumes:
  data:
    labels: {backup: %s}
`

// A volume whose labels changed is recreated only with -y: its containers
// are removed first and created anew on the new volume; without -y the
// plan keeps it and warns.
func TestPlanRecreatesChangedVolumeWhenAllowed(t *testing.T) {
	st := afterUp(t, mustLoad(t, fmt.Sprintf(labelledVolume, "daily")), UpOptions{})
	st.Containers[0].Mounts = []engine.Mount{{Type: "volume", Source: "demo_data", Target: "/data"}}
	p := mustLoad(t, fmt.Sprintf(labelledVolume, "weekly"))
	kept := mustPlan(t, p, st, UpOptions{})
	assertPlan(t, kept, ``)
	if len(kept.Warnings) != 1 || kept.Warnings[0] != `Volume "demo_data" exists but doesn't match configuration in compose file (labels.backup changed); it is kept: up -y recreates it (data will be lost)` {
		t.Errorf("warnings %q", kept.Warnings)
	}
	assertPlan(t, mustPlan(t, p, st, UpOptions{RecreateVolumes: true}), `
#0 stop demo-app-1 (volume data config changed)
#1 remove demo-app-1 (volume data config changed) after #0
#2 remove-volume demo_data (config changed: labels.backup) after #1
#3 create-volume demo_data (config changed: labels.backup) after #2
#4 create demo-app-1 (volume data config changed) after #3
#5 start demo-app-1 after #4`)
}

// A container that mounts another volume than its service now names (an
// external volume's name changed) is recreated: its config hash holds
// the volume's key, which did not change.
func TestPlanRecreatesOnSwitchedVolume(t *testing.T) {
	const file = `
services:
  app:
    image: busybox
    volumes: [data:/data]
volumes:
  data: {external: true, name: %s}
`
	st := afterUp(t, mustLoad(t, fmt.Sprintf(file, "first")), UpOptions{})
	st.Containers[0].Mounts = []engine.Mount{{Type: "volume", Source: "first", Target: "/data"}}
	assertPlan(t, mustPlan(t, mustLoad(t, fmt.Sprintf(file, "first")), st, UpOptions{}), ``)
	got := mustPlan(t, mustLoad(t, fmt.Sprintf(file, "second")), st, UpOptions{})
	wantIn(t, got.String(), "create demo-app-1 as replacement_demo-app-1 (volume at /data changed: first -> second)")
}

const twoLabelledVolumes = `
services:
  app:
    image: busybox
    volumes: [logs:/logs]
  db:
    image: busybox
    volumes: [data:/data]
volumes:
  data:
    labels: {backup: %[1]s}
  logs:
    labels: {backup: %[1]s}
`

// Up asks about each changed volume with Docker Compose's question,
// between planning and applying: a yes recreates that volume (and its
// containers), a no keeps it with the warning; -y or no way to ask asks
// nothing.
func TestPlanAskingAboutChangedVolumes(t *testing.T) {
	st := afterUp(t, mustLoad(t, fmt.Sprintf(twoLabelledVolumes, "daily")), UpOptions{})
	for i, c := range st.Containers {
		vol := map[string]string{"demo-app-1": "demo_logs", "demo-db-1": "demo_data"}[c.Name]
		st.Containers[i].Mounts = []engine.Mount{{Type: "volume", Source: vol, Target: "/x"}}
	}
	p := mustLoad(t, fmt.Sprintf(twoLabelledVolumes, "weekly"))
	var asked []string
	o := UpOptions{Confirm: func(q string) bool {
		asked = append(asked, q)
		return strings.Contains(q, "demo_data") // yes for data, no for logs
	}}
	plan, after, err := planAsking(p, st, o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`Volume "demo_data" exists but doesn't match configuration in compose file. Recreate (data will be lost)?`,
		`Volume "demo_logs" exists but doesn't match configuration in compose file. Recreate (data will be lost)?`,
	}
	if !slices.Equal(asked, want) {
		t.Errorf("asked %q\nwant %q", asked, want)
	}
	assertPlan(t, plan, `
#0 stop demo-db-1 (volume data config changed)
#1 remove demo-db-1 (volume data config changed) after #0
#2 remove-volume demo_data (config changed: labels.backup) after #1
#3 create-volume demo_data (config changed: labels.backup) after #2
#4 create demo-db-1 (volume data config changed) after #3
#5 start demo-db-1 after #4`)
	if len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], `Volume "demo_logs" exists`) {
		t.Errorf("warnings %q", plan.Warnings)
	}
	// The plans after the pulls and builds keep the answers, unasked.
	asked = nil
	if again, _, err := planAsking(p, st, after); err != nil || again.String() != plan.String() || len(asked) != 0 {
		t.Errorf("planned again: %v, asked %q:\n%s", err, asked, again)
	}

	for name, o := range map[string]UpOptions{
		"-y":       {RecreateVolumes: true, Confirm: func(q string) bool { asked = append(asked, q); return false }},
		"no asker": {},
	} {
		asked = nil
		plan, _, err := planAsking(p, st, o)
		if err != nil || len(asked) != 0 {
			t.Errorf("%s: %v, asked %q", name, err, asked)
		}
		if recreates := strings.Count(plan.String(), "remove-volume"); recreates != map[string]int{"-y": 2, "no asker": 0}[name] {
			t.Errorf("%s: %d volumes recreated:\n%s", name, recreates, plan)
		}
	}
}
