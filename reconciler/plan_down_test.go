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

// downServices is webDB with a cache only web uses, on its own network and
// volume, and an admin one-off of db.
const downServices = `
services:
  web:
    image: busybox
    depends_on: [db, cache]
  cache:
    image: redis
    networks: [back]
    volumes: [cached:/data]
  db:
    image: busybox
    volumes: [data:/data]
networks:
  back: {}
volumes:
  data: {}
  cached: {}
`

// TestDownPlanServices is the regression test for `down SERVICE` taking
// the whole project down: only the named services and what depends on them
// go; networks and volumes stay while a service that stays uses them.
func TestDownPlanServices(t *testing.T) {
	p := mustLoad(t, downServices)
	st := afterUp(t, p, UpOptions{})
	for i, c := range st.Containers { // as the engine lists them: with their mounts
		for _, m := range p.Services[c.Labels["com.docker.compose.service"]].Volumes {
			st.Containers[i].Mounts = append(st.Containers[i].Mounts, engine.Mount{Type: "volume", Source: "demo_" + m.Source, Target: m.Target})
		}
	}
	cases := []struct {
		o    DownOptions
		want string
	}{
		{DownOptions{Services: []string{"web"}, Volumes: true, RemoveImages: "all"}, `
#0 stop demo-web-1
#1 remove demo-web-1 after #0`},
		{DownOptions{Services: []string{"cache"}, Volumes: true, RemoveImages: "all"}, `
#0 stop demo-web-1
#1 stop demo-cache-1 after #0
#2 remove demo-cache-1 after #0,#1
#3 remove demo-web-1 after #0,#1
#4 remove-network demo_back after #2,#3
#5 remove-volume demo_cached after #2,#3
#6 remove-image redis after #2,#3`},
		// Only cache stays, on its own network: the default one goes.
		{DownOptions{Services: []string{"db"}, Volumes: true}, `
#0 stop demo-web-1
#1 stop demo-db-1 after #0
#2 remove demo-db-1 after #0,#1
#3 remove demo-web-1 after #0,#1
#4 remove-network demo_default after #2,#3
#5 remove-volume demo_data after #2,#3`},
	}
	for _, c := range cases {
		assertPlan(t, NewDownPlan(p, st, c.o), c.want)
	}
}
