package reconciler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/enginetest"
	"berth/engine/fake"
	"berth/project"
	"berth/reconciler"
)

// createOnFake makes a container of project "sv" on the fake engine.
func createOnFake(t *testing.T, eng engine.Engine, service string, policy engine.RestartPolicy, command ...string) reconciler.Watched {
	t.Helper()
	name := "sv-" + service + "-1"
	id, err := eng.CreateContainer(t.Context(), engine.ContainerSpec{
		Name: name, Image: enginetest.DefaultImage, Restart: policy,
		Labels:  map[string]string{project.LabelProject: "sv", project.LabelService: service, project.LabelOneOff: "False"},
		Command: command,
	})
	if err != nil {
		t.Fatal(err)
	}
	return reconciler.Watched{ID: id, Name: name, Service: service, Restart: policy, Attached: true}
}

// supervise runs Supervise to its end and returns the decisions' kinds.
func supervise(t *testing.T, ctx context.Context, sv *reconciler.Supervisor) ([]string, int) {
	t.Helper()
	var kinds []string
	code, err := sv.Supervise(ctx, func(d reconciler.Decision) { kinds = append(kinds, d.Kind.String()) })
	if err != nil {
		t.Fatalf("Supervise: %v (decisions so far %v)", err, kinds)
	}
	return kinds, code
}

func TestSuperviseOnFakeFollowsOnFailureRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	eng := fake.New(enginetest.DefaultImage)
	sv := reconciler.Watch(ctx, eng, reconciler.SuperviseOptions{Project: "sv"})
	w := createOnFake(t, eng, "crash", engine.RestartPolicy{Name: "on-failure", MaxRetries: 2}, "sh", "-c", "echo crashing; exit 1")
	sv.Follow(w)
	if err := eng.StartContainer(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	kinds, code := supervise(t, ctx, sv)
	want := []string{"exit", "restart", "attach", "exit", "restart", "attach", "exit", "give-up", "done"}
	if !slices.Equal(kinds, want) || code != 0 {
		t.Errorf("decisions %v code %d, want %v code 0", kinds, code, want)
	}
}

func TestSuperviseOnFakeStopEndsAlways(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	eng := fake.New(enginetest.DefaultImage)
	sv := reconciler.Watch(ctx, eng, reconciler.SuperviseOptions{Project: "sv", ExitCodeFrom: "job"})
	web := createOnFake(t, eng, "web", engine.RestartPolicy{Name: "always"}, "sleep", "3600")
	job := createOnFake(t, eng, "job", engine.RestartPolicy{Name: "no"}, "sh", "-c", "exit 4")
	sv.Follow(web, job)
	// The caller stops the project on Abort, as attached up does.
	done := make(chan struct{})
	var kinds []string
	var code int
	go func() {
		defer close(done)
		c, err := sv.Supervise(ctx, func(d reconciler.Decision) {
			kinds = append(kinds, d.Kind.String()+" "+d.Service)
			if d.Kind == reconciler.Abort {
				go func() { _ = eng.StopContainer(ctx, web.ID, new(time.Duration)) }()
			}
		})
		if err != nil {
			t.Errorf("Supervise: %v", err)
		}
		code = c
	}()
	for _, id := range []string{web.ID, job.ID} {
		if err := eng.StartContainer(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	want := []string{"exit job", "abort job", "exit web", "done "}
	if !slices.Equal(kinds, want) || code != 4 {
		t.Errorf("decisions %q code %d, want %q code 4", kinds, code, want)
	}
}

// A replacement the supervisor meets under its temporary name (its create
// event comes before the rename) is shown by the name it takes, so attached
// output never carries the "<id>_" name.
func TestWatchedFromNamesAReplacementByItsFinalName(t *testing.T) {
	c := engine.Container{ID: "abc", Name: "f6fe5ae300f9_p-web-1",
		Labels: map[string]string{project.LabelService: "web", project.LabelReplaces: "p-web-1"}}
	if w := reconciler.WatchedFrom(c, false); w.Name != "p-web-1" || w.Service != "web" {
		t.Errorf("watched %q of %q, want p-web-1 of web", w.Name, w.Service)
	}
	c.Labels = map[string]string{project.LabelService: "web"}
	c.Name = "p-web-1"
	if w := reconciler.WatchedFrom(c, false); w.Name != "p-web-1" {
		t.Errorf("watched %q, want p-web-1", w.Name)
	}
}
