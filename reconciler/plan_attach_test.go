package reconciler

import (
	"fmt"
	"testing"
)

// Attached up: each attached container is attached after its create and
// before its start; the start keeps its dependency gates.
func TestPlanAttachesBeforeStart(t *testing.T) {
	p := mustLoad(t, `
services:
  web:
    image: busybox
    depends_on: {db: {condition: service_healthy}}
  db:
    image: busybox
    healthcheck: {test: [CMD, "true"]}
`)
	assertPlan(t, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{Attach: []string{"db", "web"}}), `
#0 create-network demo_default (not found)
#1 create demo-db-1 (not found) after #0
#2 attach demo-db-1 after #1
#3 start demo-db-1 after #2
#4 create demo-web-1 (not found) after #0
#5 wait-healthy demo-db-1 after #3
#6 attach demo-web-1 after #4
#7 start demo-web-1 after #5,#6`)
	// Only the services attached up shows are attached.
	assertPlan(t, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{Attach: []string{"web"}}), `
#0 create-network demo_default (not found)
#1 create demo-db-1 (not found) after #0
#2 start demo-db-1 after #1
#3 create demo-web-1 (not found) after #0
#4 wait-healthy demo-db-1 after #2
#5 attach demo-web-1 after #3
#6 start demo-web-1 after #4,#5`)
}

// A replica the plan leaves running is attached from now on; one it
// restarts is attached between its stop and its start.
func TestPlanAttachesRunningAndRestarted(t *testing.T) {
	p := mustLoad(t, webDB)
	st := applied(t, p, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{}))
	assertPlan(t, mustPlan(t, p, st, UpOptions{Attach: []string{"db", "web"}}), `
#0 attach demo-db-1 (running)
#1 attach demo-web-1 (running)`)
	if got := mustPlan(t, p, st, UpOptions{Attach: []string{"web"}}); !got.Empty() {
		t.Errorf("a plan that only attaches changes something:\n%s", got)
	}
	restart := mustLoad(t, `
services:
  web:
    image: busybox
    depends_on: {db: {condition: service_started, restart: true}}
  db:
    image: busybox
    environment: {V: "2"}
`)
	st = applied(t, restart, mustPlan(t, mustLoad(t, `
services:
  web: {image: busybox, depends_on: {db: {condition: service_started, restart: true}}}
  db: {image: busybox}
`), Observed{Images: images(restart)}, UpOptions{}))
	assertPlan(t, mustPlan(t, restart, st, UpOptions{Attach: []string{"db", "web"}}), `
#0 create demo-db-1 as replacement_demo-db-1 (config changed: environment.V)
#1 stop demo-db-1 (config changed: environment.V) after #0
#2 remove demo-db-1 (config changed: environment.V) after #1
#3 rename demo-db-1 from replacement_demo-db-1 (config changed: environment.V) after #2
#4 attach demo-db-1 after #3
#5 start demo-db-1 after #4
#6 stop demo-web-1 (dependency db recreated)
#7 attach demo-web-1 after #6
#8 start demo-web-1 (dependency db recreated) after #5,#7`)
}

func TestAttachedServices(t *testing.T) {
	p := mustLoad(t, `
services:
  web: {image: busybox, depends_on: [db]}
  db: {image: busybox}
  proxy: {image: busybox, attach: false}
  test: {image: busybox}
`)
	cases := []struct {
		name string
		uo   UpOptions
		ao   AttachOptions
		want string // services, or the error
	}{
		{"all but attach: false", UpOptions{}, AttachOptions{}, "[db test web]"},
		{"the named ones", UpOptions{Services: []string{"web"}}, AttachOptions{}, "[web]"},
		{"with their dependencies", UpOptions{Services: []string{"web"}}, AttachOptions{Dependencies: true}, "[db web]"},
		{"--attach", UpOptions{}, AttachOptions{Attach: []string{"proxy"}}, "[proxy]"},
		{"--no-attach", UpOptions{}, AttachOptions{NoAttach: []string{"db"}}, "[test web]"},
		{"--exit-code-from", UpOptions{Services: []string{"web"}}, AttachOptions{ExitCodeFrom: "test"}, "[test web]"},
		{"unknown", UpOptions{}, AttachOptions{NoAttach: []string{"nope"}}, "no such service: nope"},
		{"incompatible", UpOptions{}, AttachOptions{Attach: []string{"web"}, Dependencies: true}, "--attach and --attach-dependencies are incompatible"},
	}
	for _, c := range cases {
		got, err := AttachedServices(p, c.uo, c.ao)
		s := fmt.Sprint(got)
		if err != nil {
			s = err.Error()
		}
		if s != c.want {
			t.Errorf("%s: got %s, want %s", c.name, s, c.want)
		}
	}
}
