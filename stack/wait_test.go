package stack

import (
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

func svc(name string, replicas uint64, digest string) swarm.Service {
	return swarm.Service{ID: "id-" + name, Spec: swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: name},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Labels: map[string]string{LabelTask: digest}}},
	}}
}

func task(s swarm.Service, slot int, digest string, state swarm.TaskState, at time.Time, errText string) swarm.Task {
	return swarm.Task{ID: s.Spec.Name + "-task", ServiceID: s.ID, Slot: slot, DesiredState: swarm.TaskStateRunning,
		Spec:   swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Labels: map[string]string{LabelTask: digest}}},
		Status: swarm.TaskStatus{State: state, Timestamp: at, Err: errText}}
}

func TestSettle(t *testing.T) {
	since := time.Now()
	web := svc("s_web", 2, "new")
	for _, c := range []struct {
		name  string
		tasks []swarm.Task
		want  string // pending, or "error: …"
	}{
		{"all running", []swarm.Task{task(web, 1, "new", "running", since, ""), task(web, 2, "new", "running", since, "")}, ""},
		{"one old", []swarm.Task{task(web, 1, "new", "running", since, ""), task(web, 2, "old", "running", since, "")},
			"s_web: 1/2 tasks running (task s_web.2 running)"},
		{"pending", []swarm.Task{task(web, 1, "new", "running", since, ""), task(web, 2, "new", "pending", since, "no suitable node")},
			"s_web: 1/2 tasks running (task s_web.2 pending (no suitable node))"},
		{"failed after the deploy", []swarm.Task{task(web, 1, "new", "failed", since.Add(time.Second), "task: non-zero exit (3)")},
			"error: task s_web.1 (s_web-task) failed: task: non-zero exit (3)"},
		{"failed before it", []swarm.Task{task(web, 1, "new", "failed", since.Add(-time.Second), "old"), task(web, 1, "new", "running", since, ""), task(web, 2, "new", "running", since, "")}, ""},
	} {
		got, err := settle([]swarm.Service{web}, c.tasks, nil, since)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if got, _ := settle([]swarm.Service{web}, nil, []string{"s_other"}, since); !strings.Contains(got, "s_other: not found") {
		t.Errorf("missing service: %q", got)
	}
}

func TestCrashSeenOnThisNode(t *testing.T) {
	web := svc("s_web", 1, "new")
	running := task(web, 1, "new", "running", time.Now(), "")
	if err := crash([]swarm.Service{web}, []swarm.Task{running}, nil, map[string]int{running.ID: 3}); err == nil ||
		err.Error() != "task s_web.1 (s_web-task) failed: its container exited with code 3" {
		t.Errorf("crash: %v", err)
	}
	stopped := running
	stopped.DesiredState = swarm.TaskStateShutdown // stopped by an update: no crash
	if err := crash([]swarm.Service{web}, []swarm.Task{stopped}, nil, map[string]int{running.ID: 143}); err != nil {
		t.Errorf("stopped task: %v", err)
	}
}
