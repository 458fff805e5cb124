package reconciler

import (
	"strings"
	"testing"
)

const hooked = `
services:
  web:
    image: busybox
    scale: 2
    pre_start:
      - command: [sh, -c, "echo one"]
      - {image: alpine, command: [sh, -c, "echo two"], environment: {A: "1"}}
    post_start:
      - command: [sh, -c, "echo started"]
    pre_stop:
      - command: [sh, -c, "echo stopping"]
`

func TestPlanHooksFreshUp(t *testing.T) {
	p := mustLoad(t, hooked)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 create demo-web-1 (not found) after #0
#2 start demo-web-1 after #1,#7
#3 post-start demo-web-1 after #2
#4 create demo-web-2 (not found) after #0
#5 start demo-web-2 after #4,#7
#6 post-start demo-web-2 after #5
#7 pre-start demo-web-1 after #1`)
	pre := got.Actions[7]
	if len(pre.Hooks) != 2 || pre.Hooks[1].Image != "alpine" || strings.Join(pre.Hooks[1].Env, ",") != "A=1" {
		t.Errorf("pre_start hooks: %+v", pre.Hooks)
	}
	if c := pre.Container; c.Name != "demo-web-1-pre_start" || c.Image != "busybox" || c.VolumesFrom[0] != "demo-web-1" || c.Labels["com.docker.compose.oneoff"] != "True" {
		t.Errorf("pre_start container: %+v", c)
	}
}

func TestPlanHooksNotOnUnchangedOrScaleUp(t *testing.T) {
	p := mustLoad(t, hooked)
	st := afterUp(t, p, UpOptions{})
	assertPlan(t, mustPlan(t, p, st, UpOptions{}), ``)
	assertPlan(t, mustPlan(t, p, st, UpOptions{Scale: map[string]int{"web": 3}}), `
#0 create demo-web-3 (not found)
#1 start demo-web-3 after #0
#2 post-start demo-web-3 after #1`)
}

func TestPlanHooksRerunOnRecreate(t *testing.T) {
	p := mustLoad(t, hooked)
	st := afterUp(t, p, UpOptions{})
	got := mustPlan(t, p, st, UpOptions{ForceRecreate: true})
	if got.Count(OpPreStart) != 1 || got.Count(OpPostStart) != 2 {
		t.Errorf("force-recreate: %d pre-start, %d post-start, want 1 and 2\n%s", got.Count(OpPreStart), got.Count(OpPostStart), got)
	}
}

func TestPlanPreStopBeforeStop(t *testing.T) {
	p := mustLoad(t, hooked)
	st := afterUp(t, p, UpOptions{})
	assertPlan(t, NewStopPlan(p, st, LifecycleOptions{}), `
#0 pre-stop demo-web-1
#1 stop demo-web-1 after #0
#2 pre-stop demo-web-2
#3 stop demo-web-2 after #2`)
	restart, err := NewRestartPlan(p, st, LifecycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, restart, `
#0 pre-stop demo-web-1
#1 restart demo-web-1 after #0
#2 post-start demo-web-1 after #1
#3 pre-stop demo-web-2
#4 restart demo-web-2 after #3
#5 post-start demo-web-2 after #4`)
}

func TestPlanPreStartPerReplicaRefused(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox, pre_start: [{command: [x], per_replica: true}]}}")
	_, err := NewPlan(p, Observed{Images: images(p)}, UpOptions{})
	if err == nil || !strings.Contains(err.Error(), `service "web" pre_start[0]: per_replica is not yet supported`) {
		t.Errorf("per_replica: %v", err)
	}
}
