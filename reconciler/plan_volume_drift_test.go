package reconciler

import (
	"fmt"
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
