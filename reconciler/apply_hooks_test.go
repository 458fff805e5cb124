package reconciler_test

import (
	"strings"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// readVolume reads a file of the project's data volume through a container
// of its own, as a user would.
func readVolume(t *testing.T, eng *fake.Engine, file string) string {
	t.Helper()
	spec := engine.ContainerSpec{Name: "reader", Image: "busybox", Command: []string{"cat", "/v/" + file},
		Mounts: []engine.Mount{{Type: "volume", Source: "demo_data", Target: "/v"}}}
	if _, err := eng.CreateContainer(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	defer eng.RemoveContainer(t.Context(), "reader", engine.RemoveOptions{Force: true})
	codes, errs := eng.WaitContainer(t.Context(), "reader")
	s, err := eng.Attach(t.Context(), "reader")
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.StartContainer(t.Context(), "reader"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-codes:
	case err := <-errs:
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := s.Stdout.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

const hookedApp = `
services:
  web:
    image: busybox
    command: [sleep, inf]
    volumes: [data:/data]
    pre_start:
      - command: [sh, -c, "echo pre-a >> /data/log"]
      - command: [sh, -c, "echo pre-b >> /data/log"]
    post_start:
      - command: [sh, -c, "echo post >> /data/log"]
    pre_stop:
      - command: [sh, -c, "echo stop >> /data/log"]
volumes:
  data: {}
`

func TestUpRunsHooksInOrderOnce(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, hookedApp)
	mustUp(t, eng, p)
	mustUp(t, eng, p) // unchanged: nothing runs again
	if got := readVolume(t, eng, "log"); got != "pre-a\npre-b\npost\n" {
		t.Errorf("after two ups the volume holds %q", got)
	}
	if s := states(t, eng, p); len(s) != 1 || s["demo-web-1"] != engine.StateRunning {
		t.Errorf("containers left: %v (the hook containers must be gone)", s)
	}
	plan, err := reconciler.LifecyclePlan(t.Context(), eng, p, "stop", reconciler.LifecycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconciler.Apply(t.Context(), eng, plan, nil, reconciler.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := readVolume(t, eng, "log"); !strings.HasSuffix(got, "post\nstop\n") {
		t.Errorf("after stop the volume holds %q", got)
	}
}

func TestUpHookFailures(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"pre_start mid-sequence": {"pre_start: [{command: [sh, -c, 'echo ran-0']}, {command: [sh, -c, 'echo bad >&2; exit 17']}]",
			`service "web" pre_start[1] exited with code 17: bad`},
		"post_start": {"post_start: [{command: [sh, -c, 'exit 127']}]", "web hook exited with status 127"},
	} {
		t.Run(name, func(t *testing.T) {
			eng := fake.New("busybox")
			p := load(t, "services:\n  web:\n    image: busybox\n    command: [sleep, inf]\n    "+c.yaml+"\n")
			err := up(t, eng, p, reconciler.UpOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("up: %v, want %q", err, c.want)
			}
			if strings.HasPrefix(name, "pre_start") {
				if s := states(t, eng, p); len(s) != 1 || s["demo-web-1"] != engine.StateCreated {
					t.Errorf("after a failed pre_start: %v, want demo-web-1 created only", s)
				}
			}
		})
	}
}
