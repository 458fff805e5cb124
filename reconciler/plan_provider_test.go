package reconciler

import (
	"slices"
	"testing"
)

const withProviders = `
services:
  web:
    image: busybox
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started}
  db:
    provider: {type: cloud-db, options: {size: "1"}}
  cache:
    provider: {type: cloud-cache}
`

// TestPlanProviderUp: each provider service is one step, with no image and
// no container; its dependents' creates and starts wait for it, whatever
// the condition, and the creates take its variables.
func TestPlanProviderUp(t *testing.T) {
	p := mustLoad(t, withProviders)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 provider-up cache (provider service)
#2 provider-up db (provider service)
#3 create demo-web-1 (not found) after #0,#1,#2
#4 start demo-web-1 after #1,#2,#3`)
	if c := got.Actions[3]; !slices.Equal(c.Providers, []string{"cache", "db"}) {
		t.Errorf("create takes the variables of %v, want cache and db", c.Providers)
	}
	if a := got.Actions[2]; a.Provider == nil || a.Provider.Type != "cloud-db" {
		t.Errorf("provider step: %+v", a.Provider)
	}
	// Up again: the provider runs again, nothing else changes.
	assertPlan(t, mustPlan(t, p, afterUp(t, p, UpOptions{}), UpOptions{}), `
#0 provider-up cache (provider service)
#1 provider-up db (provider service)`)
}

// TestPlanProviderStopAndDown: stop and down run the provider after its
// dependents are stopped.
func TestPlanProviderStopAndDown(t *testing.T) {
	p := mustLoad(t, withProviders)
	st := afterUp(t, p, UpOptions{})
	assertPlan(t, NewStopPlan(p, st, LifecycleOptions{}), `
#0 stop demo-web-1
#1 provider-stop cache after #0
#2 provider-stop db after #0`)
	assertPlan(t, NewStopPlan(p, st, LifecycleOptions{Services: []string{"db"}}), `
#0 provider-stop db`)
	assertPlan(t, NewDownPlan(p, st, DownOptions{}), `
#0 stop demo-web-1
#1 remove demo-web-1 after #0
#2 provider-down cache after #0,#1
#3 provider-down db after #0,#1
#4 remove-network demo_default after #1`)
}

// TestPlanProviderRun: a one-off of a dependent runs the providers first
// and takes their variables; a provider service has nothing to run.
func TestPlanProviderRun(t *testing.T) {
	p := mustLoad(t, withProviders)
	plan, _, err := NewRunPlan(p, Observed{Images: images(p)}, RunOptions{Service: "web"})
	if err != nil {
		t.Fatal(err)
	}
	create := plan.Actions[len(plan.Actions)-1]
	if create.Op != OpCreate || !slices.Equal(create.Providers, []string{"cache", "db"}) || plan.Count(OpProviderUp) != 2 {
		t.Errorf("run:\n%s", plan)
	}
	if _, _, err := NewRunPlan(p, Observed{Images: images(p)}, RunOptions{Service: "db"}); err == nil {
		t.Error("a provider service has no container to run")
	}
}
