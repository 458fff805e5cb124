package reconciler

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/project"
)

func waitProject() *types.Project {
	db := types.ServiceConfig{Name: "db"}
	db.HealthCheck = &types.HealthCheckConfig{Test: []string{"CMD", "true"}}
	web := types.ServiceConfig{Name: "web"}
	web.DependsOn = types.DependsOnConfig{
		"init": {Condition: types.ServiceConditionCompletedSuccessfully},
		"db":   {Condition: types.ServiceConditionHealthy},
	}
	return &types.Project{Name: "w", Services: types.Services{"init": {Name: "init"}, "db": db, "web": web}}
}

func waitContainerOf(svc string, st engine.State) engine.Container {
	return engine.Container{ID: svc, Name: "w-" + svc + "-1", State: st,
		Labels: map[string]string{project.LabelService: svc}}
}

func TestWaitStateVerdicts(t *testing.T) {
	tests := []struct {
		name    string
		initial []engine.Container
		events  []engine.Event
		pending string
		err     string
	}{{
		name:    "fresh containers are not ready",
		initial: []engine.Container{waitContainerOf("init", engine.StateCreated), waitContainerOf("db", engine.StateCreated), waitContainerOf("web", engine.StateCreated)},
		pending: `service "db": container "w-db-1" is created; service "init": container "w-init-1" has not completed yet (created); service "web": container "w-web-1" is created`,
	}, {
		name:    "running, healthy and completed is ready",
		initial: []engine.Container{waitContainerOf("init", engine.StateCreated), waitContainerOf("db", engine.StateCreated), waitContainerOf("web", engine.StateCreated)},
		events: []engine.Event{{Action: engine.EventStart, ContainerID: "init"}, {Action: engine.EventStart, ContainerID: "db"},
			{Action: engine.EventDie, ContainerID: "init"}, {Action: engine.EventHealth, ContainerID: "db", Health: engine.HealthHealthy},
			{Action: engine.EventStart, ContainerID: "web"}},
	}, {
		name:    "health still starting is named",
		initial: []engine.Container{waitContainerOf("db", engine.StateCreated)},
		events:  []engine.Event{{Action: engine.EventStart, ContainerID: "db"}},
		pending: `service "db": container "w-db-1" is not healthy yet (health: starting); service "init": no container; service "web": no container`,
	}, {
		name:    "a failed one-shot fails the wait",
		initial: []engine.Container{waitContainerOf("init", engine.StateRunning)},
		events:  []engine.Event{{Action: engine.EventDie, ContainerID: "init", ExitCode: 3}},
		err:     `service "init" is not ready: container "w-init-1" exited with code 3`,
	}, {
		name:    "unhealthy fails the wait",
		initial: []engine.Container{waitContainerOf("db", engine.StateRunning)},
		events:  []engine.Event{{Action: engine.EventHealth, ContainerID: "db", Health: engine.HealthUnhealthy}},
		err:     `service "db" is not ready: container "w-db-1" is unhealthy`,
	}, {
		name: "a container the policy restarts is waited for",
		initial: []engine.Container{func() engine.Container {
			c := waitContainerOf("web", engine.StateRunning)
			c.RestartPolicy = engine.RestartPolicy{Name: "always"}
			return c
		}()},
		events:  []engine.Event{{Action: engine.EventDie, ContainerID: "web", ExitCode: 1}},
		pending: `service "db": no container; service "init": no container; service "web": container "w-web-1" is restarting`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWaitState(waitProject(), nil)
			for _, c := range tt.initial {
				w.add(c)
			}
			for _, ev := range tt.events {
				w.apply(ev)
			}
			pending, err := w.verdict()
			if got := strings.Join(pending, "; "); got != tt.pending {
				t.Errorf("pending:\n%s\nwant:\n%s", got, tt.pending)
			}
			if (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}
