package reconciler

import (
	"strings"
	"testing"

	"berth/engine"
)

// lifecycleState is webDB applied, with the containers in the given states
// (db first, then web: the order applied lists them).
func lifecycleState(t *testing.T, states ...engine.State) Observed {
	t.Helper()
	p := mustLoad(t, webDB)
	st := applied(t, p, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{}))
	for i, s := range states {
		st.Containers[i].State = s
	}
	return st
}

func TestStartPlanStartsDependenciesFirst(t *testing.T) {
	p := mustLoad(t, webDB)
	st := lifecycleState(t, engine.StateExited, engine.StateExited)
	got, err := NewStartPlan(p, st, LifecycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, got, `
#0 start demo-db-1
#1 start demo-web-1 after #0`)
	st = lifecycleState(t, engine.StateRunning, engine.StateExited)
	got, _ = NewStartPlan(p, st, LifecycleOptions{Services: []string{"web"}})
	assertPlan(t, got, `
#0 start demo-web-1`)
	// The plan gets the whole project: naming db leaves web, which
	// depends on it, alone; naming web takes db along.
	st = lifecycleState(t, engine.StateExited, engine.StateExited)
	got, _ = NewStartPlan(p, st, LifecycleOptions{Services: []string{"db"}})
	assertPlan(t, got, `
#0 start demo-db-1`)
	got, _ = NewStartPlan(p, st, LifecycleOptions{Services: []string{"web"}})
	assertPlan(t, got, `
#0 start demo-db-1
#1 start demo-web-1 after #0`)
}

func TestStartPlanWithoutContainerFails(t *testing.T) {
	p := mustLoad(t, webDB)
	_, err := NewStartPlan(p, Observed{}, LifecycleOptions{Services: []string{"web"}})
	if err == nil || !strings.Contains(err.Error(), `service "web" has no container to start`) {
		t.Fatalf("got %v", err)
	}
}

func TestStopPlanStopsDependentsFirst(t *testing.T) {
	p := mustLoad(t, webDB)
	assertPlan(t, NewStopPlan(p, lifecycleState(t), LifecycleOptions{}), `
#0 stop demo-web-1
#1 stop demo-db-1 after #0`)
	assertPlan(t, NewStopPlan(p, lifecycleState(t), LifecycleOptions{Services: []string{"db"}}), `
#0 stop demo-db-1`)
}

func TestStopPlanOfStopCommandTakesStoppedContainers(t *testing.T) {
	p := mustLoad(t, webDB)
	st := lifecycleState(t, engine.StateRunning, engine.StateExited)
	// attached up's stop leaves what is not running alone
	assertPlan(t, NewStopPlan(p, st, LifecycleOptions{}), `
#0 stop demo-db-1`)
	// the stop command reports every container Stopped, saying why one was
	assertPlan(t, NewStopPlan(p, st, LifecycleOptions{Stopped: true}), `
#0 stop demo-web-1 (not running)
#1 stop demo-db-1 after #0`)
}

func TestRestartPlanRestartsInStartOrder(t *testing.T) {
	p := mustLoad(t, webDB)
	got, err := NewRestartPlan(p, lifecycleState(t, engine.StateExited), LifecycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, got, `
#0 restart demo-db-1
#1 restart demo-web-1 after #0`)
}

func TestParallelPlans(t *testing.T) {
	p := mustLoad(t, webDB)
	st := lifecycleState(t, engine.StatePaused)
	assertPlan(t, NewKillPlan(p, st, LifecycleOptions{Signal: "SIGTERM"}), `
#0 kill demo-db-1
#1 kill demo-web-1`)
	assertPlan(t, NewPausePlan(p, st, LifecycleOptions{}), `
#0 pause demo-db-1
#1 pause demo-web-1`)
	assertPlan(t, NewUnpausePlan(p, st, LifecycleOptions{}), `
#0 unpause demo-db-1`)
}

func TestRemovePlan(t *testing.T) {
	p := mustLoad(t, webDB)
	st := lifecycleState(t, engine.StateExited)
	assertPlan(t, NewRemovePlan(p, st, LifecycleOptions{}), `
#0 remove demo-db-1`)
	assertPlan(t, NewRemovePlan(p, st, LifecycleOptions{Stop: true}), `
#0 stop demo-web-1
#1 remove demo-db-1
#2 remove demo-web-1 after #0`)
}

// restartChain is webDB with a worker that asks to be restarted with db
// (restart: true) and a cron that depends on web without asking.
const restartChain = `
services:
  web:
    image: busybox
    depends_on: [db]
  worker:
    image: busybox
    depends_on:
      db: {condition: service_started, restart: true}
  cron:
    image: busybox
    depends_on:
      worker: {condition: service_started, restart: true}
      web: {condition: service_started}
  db:
    image: busybox
`

// TestRestartPlanNoDeps: restart SERVICE also restarts what declares
// restart: true on it, transitively, as Docker Compose does; --no-deps
// restarts only the named services.
func TestRestartPlanNoDeps(t *testing.T) {
	p := mustLoad(t, restartChain)
	st := afterUp(t, p, UpOptions{})
	cases := []struct {
		o    LifecycleOptions
		want string
	}{
		{LifecycleOptions{Services: []string{"db"}}, `
#0 restart demo-db-1
#1 restart demo-worker-1 after #0
#2 restart demo-cron-1 after #1`},
		{LifecycleOptions{Services: []string{"db"}, NoDeps: true}, `
#0 restart demo-db-1`},
		{LifecycleOptions{Services: []string{"web"}}, `
#0 restart demo-web-1`},
		{LifecycleOptions{Services: []string{"worker"}, NoDeps: true}, `
#0 restart demo-worker-1`},
	}
	for _, c := range cases {
		got, err := NewRestartPlan(p, st, c.o)
		if err != nil {
			t.Fatal(err)
		}
		assertPlan(t, got, c.want)
	}
}

// TestRestartPlanWaitsForConditions: a service restarted with one it
// depends on starts again once that one is back as its condition asks;
// a dependency that does not restart gates nothing.
func TestRestartPlanWaitsForConditions(t *testing.T) {
	p := mustLoad(t, `
services:
  db:
    image: busybox
    healthcheck: {test: ["CMD", "true"]}
  migrate:
    image: busybox
    depends_on: {db: {condition: service_healthy, restart: true}}
  app:
    image: busybox
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully, restart: true}
`)
	st := afterUp(t, p, UpOptions{})
	got, err := NewRestartPlan(p, st, LifecycleOptions{Services: []string{"db"}})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, got, `
#0 restart demo-db-1
#1 wait-healthy demo-db-1 after #0
#2 restart demo-migrate-1 after #1
#3 wait-exit demo-migrate-1 after #2
#4 restart demo-app-1 after #1,#3`)
	got, _ = NewRestartPlan(p, st, LifecycleOptions{Services: []string{"migrate"}})
	assertPlan(t, got, `
#0 restart demo-migrate-1
#1 wait-exit demo-migrate-1 after #0
#2 restart demo-app-1 after #1`)
}
