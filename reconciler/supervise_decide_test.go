package reconciler

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/engine"
)

// ev builds an event from a short spec: "die web 1", "start web",
// "kill web 15", "stop web", "destroy web". The container ID is its name.
func svEvent(spec string, at int) engine.Event {
	f := strings.Fields(spec)
	e := engine.Event{Action: engine.EventAction(f[0]), ContainerID: f[1], Name: f[1], Time: time.Unix(int64(at), 0)}
	if len(f) > 2 {
		switch e.Action {
		case engine.EventDie:
			e.ExitCode, _ = strconv.Atoi(f[2])
		case engine.EventKill:
			e.Signal = f[2]
		}
	}
	return e
}

func svWatched(name, policy string, retries int) Watched {
	return Watched{ID: name, Name: name, Service: strings.Split(name, "-")[0],
		Restart: engine.RestartPolicy{Name: policy, MaxRetries: retries}, Attached: true}
}

func TestSupervisorDecisions(t *testing.T) {
	tests := []struct {
		name    string
		opts    SuperviseOptions
		initial []Watched
		events  []string
		want    string
	}{{
		name:    "policy no: one exit ends the run",
		initial: []Watched{svWatched("web-1", "no", 0)},
		events:  []string{"start web-1", "die web-1 0"},
		want:    "exit web-1 code=0\ndone code=0",
	}, {
		name:    "on-failure:2 crash loop is restarted twice then given up on",
		initial: []Watched{svWatched("crash-1", "on-failure", 2)},
		events: []string{"start crash-1", "die crash-1 1", "start crash-1", "die crash-1 1",
			"start crash-1", "die crash-1 1"},
		want: `exit crash-1 code=1
restart crash-1 (restart policy on-failure, 1 of 2)
attach crash-1 since=00:00:01
exit crash-1 code=1
restart crash-1 (restart policy on-failure, 2 of 2)
attach crash-1 since=00:00:03
exit crash-1 code=1
give-up crash-1 (restart policy on-failure:2: no retries left)
done code=0`,
	}, {
		name:    "up --watch: a restart by hand re-attaches, and exits do not end the run",
		opts:    SuperviseOptions{UntilStopped: true},
		initial: []Watched{svWatched("web-1", "no", 0)},
		events:  []string{"start web-1", "kill web-1 15", "die web-1 143", "stop web-1", "start web-1", "die web-1 0"},
		want: `exit web-1 code=143
attach web-1 since=00:00:02
exit web-1 code=0`,
	}, {
		name:    "on-failure exiting 0 is finished",
		initial: []Watched{svWatched("job-1", "on-failure", 0)},
		events:  []string{"start job-1", "die job-1 0"},
		want:    "exit job-1 code=0\ndone code=0",
	}, {
		name:    "always comes back after its process dies, and a stop by hand ends it",
		initial: []Watched{svWatched("web-1", "always", 0)},
		events:  []string{"start web-1", "die web-1 137", "start web-1", "kill web-1 15", "die web-1 143", "stop web-1"},
		want: `exit web-1 code=137
restart web-1 (restart policy always)
attach web-1 since=00:00:01
exit web-1 code=143
done code=0`,
	}, {
		name:    "docker kill (SIGKILL) is a stop by hand, another signal is not",
		initial: []Watched{svWatched("a-1", "always", 0), svWatched("b-1", "always", 0)},
		events:  []string{"kill a-1 1", "die a-1 129", "kill b-1 9", "die b-1 137"},
		want:    "exit a-1 code=129\nexit b-1 code=137",
	}, {
		name:    "a custom stop signal counts as a stop",
		initial: []Watched{{ID: "a-1", Name: "a-1", Service: "a", StopSignal: "SIGINT", Restart: engine.RestartPolicy{Name: "always"}, Attached: true}},
		events:  []string{"kill a-1 2", "die a-1 130"},
		want:    "exit a-1 code=130\ndone code=0",
	}, {
		name:    "stopped by hand while waiting for its restart stays down",
		initial: []Watched{svWatched("web-1", "always", 0)},
		events:  []string{"die web-1 1", "stop web-1"},
		want:    "exit web-1 code=1\ndone code=0",
	}, {
		name:    "started again by hand after finishing is followed again",
		initial: []Watched{svWatched("web-1", "no", 0), svWatched("db-1", "no", 0)},
		events:  []string{"die web-1 0", "start web-1", "die db-1 0", "die web-1 3"},
		want: `exit web-1 code=0
attach web-1 since=00:00:00
exit db-1 code=0
exit web-1 code=3
done code=0`,
	}, {
		name:    "abort on exit stops the rest and returns the first code",
		opts:    SuperviseOptions{AbortOnExit: true},
		initial: []Watched{svWatched("web-1", "no", 0), svWatched("db-1", "no", 0)},
		events:  []string{"die web-1 4", "kill db-1 15", "die db-1 143"},
		want:    "exit web-1 code=4\nabort web-1 code=4\nexit db-1 code=143\ndone code=4",
	}, {
		name:    "abort on failure ignores a clean exit",
		opts:    SuperviseOptions{AbortOnFailure: true},
		initial: []Watched{svWatched("init-1", "no", 0), svWatched("web-1", "no", 0), svWatched("db-1", "no", 0)},
		events:  []string{"die init-1 0", "die web-1 2", "die db-1 143"},
		want:    "exit init-1 code=0\nexit web-1 code=2\nabort web-1 code=2\nexit db-1 code=143\ndone code=2",
	}, {
		name:    "exit-code-from returns that service's code, not the first one",
		opts:    SuperviseOptions{ExitCodeFrom: "test"},
		initial: []Watched{svWatched("web-1", "no", 0), svWatched("test-1", "no", 0)},
		events:  []string{"die test-1 7", "die web-1 143"},
		want:    "exit test-1 code=7\nabort test-1 code=7\nexit web-1 code=143\ndone code=7",
	}, {
		name:    "a restarting container does not trigger abort",
		opts:    SuperviseOptions{AbortOnExit: true},
		initial: []Watched{svWatched("web-1", "always", 0), svWatched("db-1", "no", 0)},
		events:  []string{"die web-1 1", "start web-1"},
		want:    "exit web-1 code=1\nrestart web-1 (restart policy always)\nattach web-1 since=00:00:00",
	}, {
		name:    "removal finishes a container",
		initial: []Watched{svWatched("web-1", "always", 0)},
		events:  []string{"kill web-1 9", "die web-1 137", "destroy web-1"},
		want:    "exit web-1 code=137\ndone code=0",
	}, {
		name: "a container that had exited is followed again when started",
		initial: []Watched{svWatched("web-1", "no", 0),
			{ID: "old-1", Name: "old-1", Service: "old", ExitedAt: time.Unix(5, 0)}},
		events: []string{"start old-1", "die web-1 0", "die old-1 2"},
		want:   "attach old-1 since=00:00:05\nexit web-1 code=0\nexit old-1 code=2\ndone code=0",
	}, {
		name:    "events of other containers are ignored",
		initial: []Watched{svWatched("web-1", "no", 0)},
		events:  []string{"die other-1 1", "start other-1"},
		want:    "",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSupervisor(tt.opts, tt.initial)
			var got []string
			for _, d := range s.start() {
				got = append(got, d.String())
			}
			for i, spec := range tt.events {
				for _, d := range s.next(svEvent(spec, i)) {
					got = append(got, d.String())
				}
			}
			if g := strings.Join(got, "\n"); g != tt.want {
				t.Errorf("decisions:\n%s\nwant:\n%s", g, tt.want)
			}
		})
	}
}

func TestSupervisorNothingToFollowIsDone(t *testing.T) {
	got := newSupervisor(SuperviseOptions{}, nil).start()
	if len(got) != 1 || got[0].Kind != Done {
		t.Fatalf("got %v, want done", got)
	}
}

func TestSupervisorStopCancelsPendingRestart(t *testing.T) {
	s := newSupervisor(SuperviseOptions{}, []Watched{svWatched("web-1", "always", 0)})
	s.next(svEvent("die web-1 1", 1))
	got := s.stop()
	if len(got) != 1 || got[0].String() != "done code=0" {
		t.Fatalf("stop while a restart is pending: got %v, want done", got)
	}
	if s.wants("web") {
		t.Error("a stopping supervisor still wants new containers")
	}
}

func TestRestartsMirrorsTheEngine(t *testing.T) {
	tests := []struct {
		policy          engine.RestartPolicy
		count, code     int
		restart, giveUp bool
	}{
		{engine.RestartPolicy{Name: "no"}, 0, 1, false, false},
		{engine.RestartPolicy{Name: ""}, 0, 1, false, false},
		{engine.RestartPolicy{Name: "always"}, 5, 0, true, false},
		{engine.RestartPolicy{Name: "unless-stopped"}, 0, 0, true, false},
		{engine.RestartPolicy{Name: "on-failure"}, 100, 1, true, false},
		{engine.RestartPolicy{Name: "on-failure"}, 0, 0, false, false},
		{engine.RestartPolicy{Name: "on-failure", MaxRetries: 2}, 1, 1, true, false},
		{engine.RestartPolicy{Name: "on-failure", MaxRetries: 2}, 2, 1, false, true},
	}
	for _, tt := range tests {
		r, g := restarts(tt.policy, tt.count, tt.code)
		if r != tt.restart || g != tt.giveUp {
			t.Errorf("restarts(%+v, %d, %d) = %v, %v; want %v, %v", tt.policy, tt.count, tt.code, r, g, tt.restart, tt.giveUp)
		}
	}
}
