package fake_test

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/network"
	"berth/project"
)

// run creates and starts the container and waits for its exit.
func run(t *testing.T, e *fake.Engine, s engine.ContainerSpec) (string, int) {
	t.Helper()
	id := mustCreate(t, e, s)
	codes, errs := e.WaitContainer(ctx(t), id)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-codes:
		return id, code
	case err := <-errs:
		t.Fatal(err)
	}
	return id, -1
}

func logs(t *testing.T, e *fake.Engine, id string, opts engine.LogOptions) (string, string) {
	t.Helper()
	s, err := e.Logs(ctx(t), id, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, _ := io.ReadAll(s.Stdout)
	errOut, _ := io.ReadAll(s.Stderr)
	return string(out), string(errOut)
}

func TestTTYMergesStderr(t *testing.T) {
	e := fake.New(img)
	s := spec("p", "job", "sh", "-c", "echo out; echo err >&2")
	s.Tty = true
	id, _ := run(t, e, s)
	if out, errOut := logs(t, e, id, engine.LogOptions{}); out != "out\nerr\n" || errOut != "" {
		t.Errorf("tty logs: %q %q", out, errOut)
	}
	out, _ := logs(t, e, id, engine.LogOptions{Timestamps: true, Tail: "1"})
	if !strings.HasSuffix(out, "Z err\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("logs with timestamps: %q", out)
	}
}

func TestVolumesFromAndBinds(t *testing.T) {
	e := fake.New(img)
	w := spec("p", "writer", "sh", "-c", "echo v > /anon/f; echo b > /host/f")
	w.Mounts = []engine.Mount{{Type: "volume", Target: "/anon"}, {Type: "bind", Source: "/srv/x", Target: "/host"}}
	wid, _ := run(t, e, w)
	r := spec("p", "reader", "cat", "/anon/f", "/host/f")
	r.VolumesFrom = []string{wid}
	id, code := run(t, e, r)
	if out, errOut := logs(t, e, id, engine.LogOptions{}); code != 0 || out != "v\nb\n" {
		t.Errorf("read through volumes_from: exit %d %q %q", code, out, errOut)
	}
	c, _ := e.InspectContainer(ctx(t), wid)
	anon := c.Mounts[0].Source
	if err := e.RemoveVolume(ctx(t), anon); err == nil || !strings.Contains(err.Error(), "volume is in use") {
		t.Errorf("remove of a volume in use: %v", err)
	}
}

func TestNetworkErrors(t *testing.T) {
	e := fake.New(img)
	s := spec("p", "web", "sleep", "3600")
	s.NetworkMode = "host"
	id := mustCreate(t, e, s)
	if _, err := e.CreateNetwork(ctx(t), network.Spec{Name: "p_default"}); err != nil {
		t.Fatal(err)
	}
	if err := e.ConnectNetwork(ctx(t), "p_default", id, network.Endpoint{}); err == nil {
		t.Errorf("connected a host-network container")
	}
	if err := e.RemoveNetwork(ctx(t), "bridge"); err == nil {
		t.Errorf("removed the bridge network")
	}
	c, _ := e.InspectContainer(ctx(t), id)
	if len(c.Networks) != 1 || c.Networks[0] != "host" {
		t.Errorf("networks of a host container: %v", c.Networks)
	}
}

func TestRemoveNetworkInUse(t *testing.T) {
	e := fake.New(img)
	if _, err := e.CreateNetwork(ctx(t), network.Spec{Name: "p_default"}); err != nil {
		t.Fatal(err)
	}
	s := spec("p", "web", "sleep", "3600")
	s.Networks = []network.Endpoint{{Network: "p_default"}}
	id := mustCreate(t, e, s)
	if err := e.StartContainer(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if err := e.RemoveNetwork(ctx(t), "p_default"); err == nil || !strings.Contains(err.Error(), "active endpoints") {
		t.Errorf("remove of a network in use: %v", err)
	}
}

// TestConcurrentUse runs many containers' whole lives at once; run it with
// -race.
func TestConcurrentUse(t *testing.T) {
	e := fake.New(img)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			s := spec("p", fmt.Sprintf("svc%d", i), "sh", "-c", "echo hi; sleep 0.01")
			s.Labels[project.LabelNumber] = "1"
			id, err := e.CreateContainer(ctx(t), s)
			if err != nil {
				t.Error(err)
				return
			}
			codes, _ := e.WaitContainer(ctx(t), id)
			if err := e.StartContainer(ctx(t), id); err != nil {
				t.Error(err)
			}
			if i%2 == 0 {
				_ = e.StopContainer(ctx(t), id, nil)
			}
			<-codes
			if err := e.RemoveContainer(ctx(t), id, engine.RemoveOptions{Force: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if list, _ := e.ListContainers(ctx(t), engine.ContainerFilter{Project: "p"}); len(list) != 0 {
		t.Errorf("%d containers left", len(list))
	}
}
