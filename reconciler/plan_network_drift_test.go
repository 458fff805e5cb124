package reconciler

import (
	"fmt"
	"testing"
)

// A network whose settings changed is recreated: the containers on it stop
// and leave it, and join the new one, keeping their identity; the one that
// ran starts again, and the plan says which setting changed.
func TestPlanRecreatesChangedNetwork(t *testing.T) {
	const file = `
services:
  web:
    image: busybox
    networks: [back]
  job:
    image: busybox
    networks: [back]
networks:
  back:
    labels: {team: %s}
`
	st := afterUp(t, mustLoad(t, fmt.Sprintf(file, "a")), UpOptions{})
	st.Containers[0].State = "exited" // job, which ran to its end
	got := mustPlan(t, mustLoad(t, fmt.Sprintf(file, "b")), st, UpOptions{})
	assertPlan(t, got, `
#0 disconnect demo-job-1 from demo_back (network back config changed)
#1 stop demo-web-1 (network back config changed)
#2 disconnect demo-web-1 from demo_back (network back config changed) after #1
#3 remove-network demo_back (config changed: labels.team) after #0,#2
#4 create-network demo_back (config changed: labels.team) after #3
#5 connect demo-job-1 to demo_back (network back config changed) after #4
#6 connect demo-web-1 to demo_back (network back config changed) after #4
#7 start demo-job-1 (not running) after #5
#8 start demo-web-1 (network back config changed) after #6`)
}

// A container on the network whose service this run does not plan (up
// web, with db beside it) starts again too, right after its reconnect.
func TestPlanNetworkRecreateRestartsUnselectedServices(t *testing.T) {
	const file = `
services:
  web: {image: busybox, networks: [back]}
  db: {image: busybox, networks: [back]}
networks:
  back:
    labels: {team: %s}
`
	st := afterUp(t, mustLoad(t, fmt.Sprintf(file, "a")), UpOptions{})
	got := mustPlan(t, mustLoad(t, fmt.Sprintf(file, "b")), st, UpOptions{Services: []string{"web"}})
	wantIn(t, got.String(), "start demo-db-1 (network back config changed) after #")
	wantIn(t, got.String(), "start demo-web-1 (network back config changed) after #")
}
