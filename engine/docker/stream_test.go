package docker

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/events"

	"berth/engine"
	"berth/imagebuild"
)

func TestReadBuildStream(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		id      string
		lines   []string
		errWant string
	}{
		{"aux id", `{"stream":"Step 1/2 : FROM busybox\n"}{"stream":" ---\u003e 05bca3d5dd2d\n"}{"aux":{"ID":"sha256:abc"}}{"stream":"Successfully built abc\n"}`,
			"sha256:abc", []string{"Step 1/2 : FROM busybox", " ---> 05bca3d5dd2d", "Successfully built abc"}, ""},
		{"successfully built only", `{"stream":"Successfully built 0123456789ab\n"}`, "0123456789ab", []string{"Successfully built 0123456789ab"}, ""},
		{"lines split across messages", `{"stream":"Step 2/2 : RUN"}{"stream":" echo hi\nhi\n"}{"stream":"partial"}`,
			"", []string{"Step 2/2 : RUN echo hi", "hi", "partial"}, ""},
		{"error keeps the engine's words", `{"stream":"Step 2/2 : RUN false\n"}{"errorDetail":{"code":1,"message":"The command '/bin/sh -c false' returned a non-zero code: 1"},"error":"The command '/bin/sh -c false' returned a non-zero code: 1"}`,
			"", []string{"Step 2/2 : RUN false"}, "The command '/bin/sh -c false' returned a non-zero code: 1"},
		{"broken stream", `{"stream":"x\n"}{nope`, "", []string{"x"}, "reading the build output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			id, err := readBuildStream(strings.NewReader(tt.stream), func(m imagebuild.Message) {
				if m.Line != "" {
					lines = append(lines, m.Line)
				}
			})
			if tt.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errWant) {
					t.Errorf("got %v, want an error with %q", err, tt.errWant)
				}
			} else if err != nil || id != tt.id {
				t.Errorf("got %q, %v; want %q", id, err, tt.id)
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("lines %q, want %q", lines, tt.lines)
			}
		})
	}
}

func TestEventOf(t *testing.T) {
	at := time.Unix(1700000000, 5)
	msg := func(action string, attrs map[string]string) events.Message {
		a := map[string]string{"name": "p-web-1", "image": "busybox", "com.docker.compose.service": "web", "com.docker.compose.project": "p"}
		for k, v := range attrs {
			a[k] = v
		}
		return events.Message{Type: "container", Action: events.Action(action), Actor: events.Actor{ID: "abc", Attributes: a}, TimeNano: at.UnixNano()}
	}
	labels := map[string]string{"com.docker.compose.service": "web", "com.docker.compose.project": "p"}
	base := engine.Event{Time: at, ContainerID: "abc", Name: "p-web-1", Service: "web", Labels: labels}
	with := func(f func(*engine.Event)) engine.Event { e := base; f(&e); return e }
	tests := []struct {
		msg  events.Message
		want engine.Event
		ok   bool
	}{
		{msg("start", nil), with(func(e *engine.Event) { e.Action = engine.EventStart }), true},
		{msg("die", map[string]string{"exitCode": "137"}), with(func(e *engine.Event) { e.Action = engine.EventDie; e.ExitCode = 137 }), true},
		{msg("health_status: healthy", nil), with(func(e *engine.Event) { e.Action = engine.EventHealth; e.Health = engine.HealthHealthy }), true},
		{msg("health_status: unhealthy", nil), with(func(e *engine.Event) { e.Action = engine.EventHealth; e.Health = engine.HealthUnhealthy }), true},
		{msg("kill", map[string]string{"signal": "15"}), with(func(e *engine.Event) { e.Action = engine.EventKill; e.Signal = "15" }), true},
		{msg("exec_start: sh -c true", nil), engine.Event{}, false},
		{msg("attach", nil), engine.Event{}, false},
	}
	for _, tt := range tests {
		got, ok := eventOf(tt.msg)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v %v\nwant %+v %v", tt.msg.Action, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHumanStatus(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		c    engine.Container
		want string
	}{
		{engine.Container{State: engine.StateRunning, StartedAt: now.Add(-3 * time.Second)}, "Up 3 seconds"},
		{engine.Container{State: engine.StateRunning, StartedAt: now.Add(-2 * time.Hour), Health: engine.HealthHealthy}, "Up 2 hours (healthy)"},
		{engine.Container{State: engine.StateRunning, StartedAt: now.Add(-time.Minute), Health: engine.HealthStarting}, "Up About a minute (health: starting)"},
		{engine.Container{State: engine.StateExited, ExitCode: 1, FinishedAt: now.Add(-10 * time.Minute)}, "Exited (1) 10 minutes ago"},
		{engine.Container{State: engine.StateCreated}, "Created"},
		{engine.Container{State: engine.StatePaused, StartedAt: now.Add(-5 * time.Second)}, "Up 5 seconds (Paused)"},
	}
	for _, tt := range tests {
		if got := humanStatus(tt.c, now); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.c.State, got, tt.want)
		}
	}
}

func TestBuildWithoutContext(t *testing.T) {
	var e Engine // never reaches the engine
	_, err := e.BuildImage(t.Context(), buildRequest("web"), nil)
	if err == nil || !strings.Contains(err.Error(), `build "web": no build context`) || errors.Is(err, engine.ErrNotFound) {
		t.Errorf("got %v", err)
	}
}

func buildRequest(service string) imagebuild.Request { return imagebuild.Request{Service: service} }
