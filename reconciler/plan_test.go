package reconciler

import (
	"strings"
	"testing"

	"berth/engine"
	"berth/project"
)

const webDB = `
services:
  web:
    image: busybox
    environment: {FOO: "1", BAR: "2"}
    depends_on: [db]
  db:
    image: busybox
    volumes: [data:/data]
volumes:
  data: {}
`

func TestPlanFreshProject(t *testing.T) {
	p := mustLoad(t, webDB)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 create-volume demo_data (not found)
#2 create demo-db-1 (not found) after #0,#1
#3 start demo-db-1 after #2
#4 create demo-web-1 (not found) after #0
#5 start demo-web-1 after #3,#4`)
}

func TestPlanWarmIsEmpty(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	got := mustPlan(t, p, st, UpOptions{})
	assertPlan(t, got, ``)
}

func TestPlanConfigChangeNamesTheField(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	p2 := mustLoad(t, strings.Replace(webDB, `FOO: "1"`, `FOO: "9"`, 1))
	got := mustPlan(t, p2, st, UpOptions{})
	assertPlan(t, got, `
#0 create demo-web-1 as replacement_demo-web-1 (config changed: environment.FOO)
#1 stop demo-web-1 (config changed: environment.FOO) after #0
#2 remove demo-web-1 (config changed: environment.FOO) after #1
#3 rename demo-web-1 from replacement_demo-web-1 (config changed: environment.FOO) after #2
#4 start demo-web-1 after #3`)
}

func TestPlanConfigChangeNamesTopLevelFields(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox, command: [sleep, '1']}}")
	st := afterUp(t, p, UpOptions{})
	p2 := mustLoad(t, "services: {web: {image: busybox, command: [sleep, '2'], labels: {a: b}}}")
	got := mustPlan(t, p2, st, UpOptions{})
	assertPlan(t, got, `
#0 create demo-web-1 as replacement_demo-web-1 (config changed: command, labels.a)
#1 stop demo-web-1 (config changed: command, labels.a) after #0
#2 remove demo-web-1 (config changed: command, labels.a) after #1
#3 rename demo-web-1 from replacement_demo-web-1 (config changed: command, labels.a) after #2
#4 start demo-web-1 after #3`)
}

func TestPlanImageChange(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	st.Images["busybox"] = engine.Image{ID: "sha256:new"}
	got := mustPlan(t, p, st, UpOptions{})
	assertPlan(t, got, `
#0 create demo-db-1 as replacement_demo-db-1 (image changed)
#1 stop demo-db-1 (image changed) after #0
#2 remove demo-db-1 (image changed) after #1
#3 rename demo-db-1 from replacement_demo-db-1 (image changed) after #2
#4 start demo-db-1 after #3
#5 create demo-web-1 as replacement_demo-web-1 (image changed)
#6 stop demo-web-1 (image changed) after #5
#7 remove demo-web-1 (image changed) after #6
#8 rename demo-web-1 from replacement_demo-web-1 (image changed) after #7
#9 start demo-web-1 after #4,#8`)
}

func TestPlanScaleUpAndDown(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}}")
	st := afterUp(t, p, UpOptions{Scale: map[string]int{"web": 3}})
	assertPlan(t, mustPlan(t, p, st, UpOptions{Scale: map[string]int{"web": 4}}), `
#0 create demo-web-4 (not found)
#1 start demo-web-4 after #0`)
	assertPlan(t, mustPlan(t, p, st, UpOptions{Scale: map[string]int{"web": 1}}), `
#0 stop demo-web-3 (scale down)
#1 remove demo-web-3 (scale down) after #0
#2 stop demo-web-2 (scale down)
#3 remove demo-web-2 (scale down) after #2`)
}

func TestPlanDeployReplicas(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox, deploy: {replicas: 2}}}")
	assertPlan(t, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{}), `
#0 create-network demo_default (not found)
#1 create demo-web-1 (not found) after #0
#2 start demo-web-1 after #1
#3 create demo-web-2 (not found) after #0
#4 start demo-web-2 after #3`)
}

func TestPlanOrphans(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}, old: {image: busybox}}")
	st := afterUp(t, p, UpOptions{})
	p2 := mustLoad(t, "services: {web: {image: busybox}}")
	got := mustPlan(t, p2, st, UpOptions{})
	assertPlan(t, got, ``)
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "Found orphan containers ([demo-old-1])") {
		t.Errorf("warnings: %q", got.Warnings)
	}
	assertPlan(t, mustPlan(t, p2, st, UpOptions{RemoveOrphans: true}), `
#0 stop demo-old-1 (orphan)
#1 remove demo-old-1 (orphan) after #0`)
}

func TestPlanNoDeps(t *testing.T) {
	p := mustLoad(t, webDB)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{Services: []string{"web"}, NoDeps: true})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 create demo-web-1 (not found) after #0
#2 start demo-web-1 after #1`)
}

func TestPlanServiceArgsPullDependencies(t *testing.T) {
	p := mustLoad(t, strings.Replace(webDB, "volumes:\n  data", "  other: {image: busybox}\nvolumes:\n  data", 1))
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{Services: []string{"web"}})
	if strings.Contains(got.String(), "other") {
		t.Errorf("plan touches an unselected service:\n%s", got)
	}
	if _, err := NewPlan(p, Observed{Images: images(p)}, UpOptions{Services: []string{"nope"}}); err == nil || err.Error() != "no such service: nope" {
		t.Errorf("err = %v", err)
	}
}

func TestPlanForceAndNoRecreate(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}}")
	st := afterUp(t, p, UpOptions{})
	assertPlan(t, mustPlan(t, p, st, UpOptions{ForceRecreate: true}), `
#0 create demo-web-1 as replacement_demo-web-1 (--force-recreate)
#1 stop demo-web-1 (--force-recreate) after #0
#2 remove demo-web-1 (--force-recreate) after #1
#3 rename demo-web-1 from replacement_demo-web-1 (--force-recreate) after #2
#4 start demo-web-1 after #3`)
	p2 := mustLoad(t, "services: {web: {image: busybox, command: ['true']}}")
	assertPlan(t, mustPlan(t, p2, st, UpOptions{NoRecreate: true}), ``)
}

func TestPlanDependsOnConditions(t *testing.T) {
	p := mustLoad(t, `
services:
  init: {image: busybox}
  db:
    image: busybox
    healthcheck: {test: [CMD, "true"]}
  web:
    image: busybox
    depends_on:
      db: {condition: service_healthy}
      init: {condition: service_completed_successfully}
`)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 create demo-db-1 (not found) after #0
#2 start demo-db-1 after #1
#3 create demo-init-1 (not found) after #0
#4 start demo-init-1 after #3
#5 create demo-web-1 (not found) after #0
#6 wait-healthy demo-db-1 after #2
#7 wait-exit demo-init-1 after #4
#8 start demo-web-1 after #5,#6,#7`)
}

func TestPlanNetworkModeService(t *testing.T) {
	p := mustLoad(t, `
services:
  vpn: {image: busybox}
  app: {image: busybox, network_mode: "service:vpn"}
`)
	got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 create demo-vpn-1 (not found) after #0
#2 start demo-vpn-1 after #1
#3 create demo-app-1 (not found) after #1
#4 start demo-app-1 after #2,#3`)
	if mode := got.Actions[3].Container.NetworkMode; mode != "container:demo-vpn-1" {
		t.Errorf("network mode %q", mode)
	}
	st := applied(t, p, got)
	p2 := mustLoad(t, `
services:
  vpn: {image: busybox, environment: [X=1]}
  app: {image: busybox, network_mode: "service:vpn"}
`)
	assertPlan(t, mustPlan(t, p2, st, UpOptions{}), `
#0 create demo-vpn-1 as replacement_demo-vpn-1 (config changed: environment.X)
#1 stop demo-vpn-1 (config changed: environment.X) after #0
#2 remove demo-vpn-1 (config changed: environment.X) after #1
#3 rename demo-vpn-1 from replacement_demo-vpn-1 (config changed: environment.X) after #2
#4 start demo-vpn-1 after #3
#5 create demo-app-1 as replacement_demo-app-1 (network_mode service:vpn recreated) after #3
#6 stop demo-app-1 (network_mode service:vpn recreated) after #5
#7 remove demo-app-1 (network_mode service:vpn recreated) after #6
#8 rename demo-app-1 from replacement_demo-app-1 (network_mode service:vpn recreated) after #7
#9 start demo-app-1 after #4,#8`)
}

func TestPlanRestartTrueRestartsDependent(t *testing.T) {
	const y = `
services:
  db: {image: busybox, environment: [V=%s]}
  web:
    image: busybox
    depends_on: {db: {condition: service_started, restart: true}}
`
	p := mustLoad(t, strings.Replace(y, "%s", "1", 1))
	st := afterUp(t, p, UpOptions{})
	p2 := mustLoad(t, strings.Replace(y, "%s", "2", 1))
	assertPlan(t, mustPlan(t, p2, st, UpOptions{}), `
#0 create demo-db-1 as replacement_demo-db-1 (config changed: environment.V)
#1 stop demo-db-1 (config changed: environment.V) after #0
#2 remove demo-db-1 (config changed: environment.V) after #1
#3 rename demo-db-1 from replacement_demo-db-1 (config changed: environment.V) after #2
#4 start demo-db-1 after #3
#5 stop demo-web-1 (dependency db recreated)
#6 start demo-web-1 (dependency db recreated) after #4,#5`)
}

func TestPlanStartsStoppedContainer(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}}")
	st := afterUp(t, p, UpOptions{})
	st.Containers[0].State = engine.StateExited
	assertPlan(t, mustPlan(t, p, st, UpOptions{}), `#0 start demo-web-1 (not running)`)
}

func TestPlanBuild(t *testing.T) {
	p := mustLoad(t, "services: {app: {build: .}}")
	got := mustPlan(t, p, Observed{}, UpOptions{})
	assertPlan(t, got, `
#0 create-network demo_default (not found)
#1 build demo-app (not found)
#2 create demo-app-1 (not found) after #0,#1
#3 start demo-app-1 after #2`)
	if _, err := NewPlan(mustLoad(t, "services: {app: {image: nope, pull_policy: never}}"), Observed{}, UpOptions{}); err == nil {
		t.Error("missing image without build: no error")
	}
}

func TestPlanNoStart(t *testing.T) {
	p := mustLoad(t, webDB)
	assertPlan(t, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{NoStart: true}), `
#0 create-network demo_default (not found)
#1 create-volume demo_data (not found)
#2 create demo-db-1 (not found) after #0,#1
#3 create demo-web-1 (not found) after #0`)
}

func TestPlanRecreateCarriesAnonymousVolumes(t *testing.T) {
	const y = "services: {web: {image: busybox, volumes: [/cache], environment: [V=%s]}}"
	p := mustLoad(t, strings.Replace(y, "%s", "1", 1))
	st := afterUp(t, p, UpOptions{})
	st.Containers[0].Mounts = []engine.Mount{{Type: "volume", Source: "0123abcd", Target: "/cache"}, {Type: "volume", Source: "fromimage", Target: "/var/lib/x"}}
	p2 := mustLoad(t, strings.Replace(y, "%s", "2", 1))
	create := mustPlan(t, p2, st, UpOptions{}).Actions[0]
	if got := create.Container.Mounts; len(got) != 2 || got[0].Source != "0123abcd" || got[1].Source != "fromimage" || got[1].Target != "/var/lib/x" {
		t.Errorf("mounts carried over: %+v", got)
	}
	renew := mustPlan(t, p2, st, UpOptions{RenewAnonVolumes: true})
	if got := renew.Actions[0].Container.Mounts; len(got) != 1 || got[0].Source != "" {
		t.Errorf("-V mounts: %+v", got)
	}
	if !renew.Actions[2].Remove.Volumes {
		t.Error("-V keeps the old anonymous volumes")
	}
}

func TestPlanRestartPolicies(t *testing.T) {
	for yaml, want := range map[string]engine.RestartPolicy{
		"restart: always":         {Name: "always"},
		"restart: on-failure:3":   {Name: "on-failure", MaxRetries: 3},
		"restart: unless-stopped": {Name: "unless-stopped"},
		"deploy: {restart_policy: {condition: on-failure, max_attempts: 2}}": {Name: "on-failure", MaxRetries: 2},
		"deploy: {restart_policy: {condition: any}}":                         {Name: "always"},
		"deploy: {restart_policy: {condition: none}}":                        {Name: "no"},
		"command: [sleep, inf]":                                              {Name: "no"},
	} {
		p := mustLoad(t, "services:\n  web:\n    image: busybox\n    "+yaml+"\n")
		got := mustPlan(t, p, Observed{Images: images(p)}, UpOptions{}).Actions[1].Container.Restart
		if got != want {
			t.Errorf("%s: %+v, want %+v", yaml, got, want)
		}
	}
}

// TestPlanExitedOneOffsAreOrphans: an exited one-off is an orphan whatever
// its service (named in the warning, removed by --remove-orphans); a running
// one-off of a service still in the file is not.
func TestPlanExitedOneOffsAreOrphans(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}}")
	st := afterUp(t, p, UpOptions{})
	oneOff := func(name string, state engine.State) engine.Container {
		return engine.Container{Name: name, State: state, Labels: map[string]string{
			project.LabelProject: "demo", project.LabelService: "web", project.LabelOneOff: "True"}}
	}
	st.Containers = append(st.Containers, oneOff("demo-web-run-1", engine.StateExited), oneOff("demo-web-run-2", engine.StateRunning))
	got := mustPlan(t, p, st, UpOptions{})
	assertPlan(t, got, ``)
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "Found orphan containers ([demo-web-run-1])") {
		t.Errorf("warnings: %q", got.Warnings)
	}
	if got := mustPlan(t, p, st, UpOptions{IgnoreOrphans: true}); len(got.Warnings) != 0 {
		t.Errorf("warnings with IgnoreOrphans: %q", got.Warnings)
	}
	assertPlan(t, mustPlan(t, p, st, UpOptions{RemoveOrphans: true}), `
#0 remove demo-web-run-1 (orphan)`)
}

// TestPlanImageByID: a service's image named by its ID is used as it is
// when present, and never pulled.
func TestPlanImageByID(t *testing.T) {
	id := strings.Repeat("ab", 32)
	p := mustLoad(t, "services: {web: {image: "+id+"}}")
	assertPlan(t, mustPlan(t, p, Observed{Images: images(p)}, UpOptions{}), `
#0 create-network demo_default (not found)
#1 create demo-web-1 (not found) after #0
#2 start demo-web-1 after #1`)
	if _, err := NewPlan(p, Observed{}, UpOptions{}); err == nil || !strings.Contains(err.Error(), "no such image: "+id) {
		t.Errorf("absent image ID: %v", err)
	}
}

// TestPlanRemovesDuplicateNetworks: a network name the engine holds twice
// (racing creates on Engine 20.10) keeps its oldest network; the younger
// ones are removed, the plan saying why, and their failure only warns.
func TestPlanRemovesDuplicateNetworks(t *testing.T) {
	p := mustLoad(t, webDB)
	st := afterUp(t, p, UpOptions{})
	for i := range st.Networks {
		st.Networks[i].ID = "0123456789abcdef"
		st.Networks[i].Duplicates = []string{"fedcba9876543210"}
	}
	got := mustPlan(t, p, st, UpOptions{})
	assertPlan(t, got, `
#0 remove-network fedcba9876543210 (a second network named demo_default (two runs created it at once); the oldest, 0123456789ab, stays)`)
	if !got.Actions[0].Optional {
		t.Error("the duplicate's removal fails the run when the network is still in use")
	}
}

// TestPlanReplacesContainersOnDuplicateNetwork: a replica attached to the
// younger of two networks of one name is replaced (its replacement joins
// the oldest), and that network goes once the old container is gone.
func TestPlanReplacesContainersOnDuplicateNetwork(t *testing.T) {
	p := mustLoad(t, "services: {web: {image: busybox}}")
	st := afterUp(t, p, UpOptions{})
	for i := range st.Networks {
		st.Networks[i].ID = "0123456789abcdef"
		st.Networks[i].Duplicates = []string{"fedcba9876543210"}
	}
	for i := range st.Containers {
		st.Containers[i].ID = "c0ffee0000000000"
		st.Containers[i].NetworkIDs = []string{"fedcba9876543210"}
	}
	got := mustPlan(t, p, st, UpOptions{})
	assertPlan(t, got, `
#0 create demo-web-1 as c0ffee000000_demo-web-1 (attached to a second network named demo_default (two runs created it at once))
#1 stop demo-web-1 (attached to a second network named demo_default (two runs created it at once)) after #0
#2 remove demo-web-1 (attached to a second network named demo_default (two runs created it at once)) after #1
#3 rename demo-web-1 from c0ffee000000_demo-web-1 (attached to a second network named demo_default (two runs created it at once)) after #2
#4 start demo-web-1 after #3
#5 remove-network fedcba9876543210 (a second network named demo_default (two runs created it at once); the oldest, 0123456789ab, stays) after #2`)
}
