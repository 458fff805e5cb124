package enginetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"berth/engine"
	"berth/project"
)

// DefaultImage is the busybox image the suite creates containers from when
// Config.Image is empty; internal/testimages builds it for real engines.
const DefaultImage = "berth-test/busybox:latest"

// Config tunes the suite to the engine under test.
type Config struct {
	// Image has busybox's sh, echo, cat, sleep and true on the PATH.
	Image string
	// Timeout bounds every blocking wait (default 30s).
	Timeout time.Duration
	// Registry is the "host:port" of a registry the engine may push to
	// and pull from without credentials; "" skips the registry cases.
	Registry string
}

// Run runs the contract suite with the default configuration.
func Run(t *testing.T, newEngine func(t *testing.T) engine.Engine) {
	RunConfig(t, Config{}, newEngine)
}

// RunConfig runs the contract suite: every case gets a fresh engine from
// newEngine and its own project.
func RunConfig(t *testing.T, cfg Config, newEngine func(t *testing.T) engine.Engine) {
	if cfg.Image == "" {
		cfg.Image = DefaultImage
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newCase(t, cfg, newEngine(t)))
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, c *env)
}

func cases() []testCase {
	var all []testCase
	all = append(all, containerCases()...)
	all = append(all, listCases()...)
	all = append(all, lifecycleCases()...)
	all = append(all, eventCases()...)
	all = append(all, streamCases()...)
	all = append(all, networkCases()...)
	all = append(all, volumeCases()...)
	all = append(all, imageCases()...)
	all = append(all, archiveCases()...)
	all = append(all, execCases()...)
	all = append(all, commitCases()...)
	all = append(all, registryCases()...)
	all = append(all, featureCases()...)
	all = append(all, portCases()...)
	return all
}

// env is one case's engine and project.
type env struct {
	eng     engine.Engine
	project string
	cfg     Config
}

func newCase(t *testing.T, cfg Config, eng engine.Engine) *env {
	c := &env{eng: eng, project: uniqueName("berth-test"), cfg: cfg}
	t.Cleanup(func() { c.cleanup(t) })
	return c
}

// uniqueName is prefix-<8 random hex>.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + "-" + hex.EncodeToString(b)
}

// ctx bounds one blocking wait; t.Context is not used because it is already
// cancelled when cleanups run.
func (c *env) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// cleanup removes every container, network and volume of the case's project,
// even when the case failed half-way.
func (c *env) cleanup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	defer cancel()
	cs, err := c.eng.ListContainers(ctx, engine.ContainerFilter{Project: c.project})
	if err != nil {
		t.Errorf("cleanup: list containers: %v", err)
	}
	for _, ctr := range cs {
		err := c.eng.RemoveContainer(ctx, ctr.ID, engine.RemoveOptions{Force: true, Volumes: true})
		if err != nil && !isNotFound(err) {
			t.Errorf("cleanup: remove container %q: %v", ctr.Name, err)
		}
	}
	c.cleanupNetworks(ctx, t)
	c.cleanupVolumes(ctx, t)
}

func (c *env) cleanupNetworks(ctx context.Context, t *testing.T) {
	nets, err := c.eng.ListNetworks(ctx, c.project)
	if err != nil {
		t.Errorf("cleanup: list networks: %v", err)
	}
	for _, n := range nets {
		if err := c.eng.RemoveNetwork(ctx, n.ID); err != nil && !isNotFound(err) {
			t.Errorf("cleanup: remove network %q: %v", n.Name, err)
		}
	}
}

func (c *env) cleanupVolumes(ctx context.Context, t *testing.T) {
	vols, err := c.eng.ListVolumes(ctx, c.project)
	if err != nil {
		t.Errorf("cleanup: list volumes: %v", err)
	}
	for _, v := range vols {
		if err := c.eng.RemoveVolume(ctx, v.Name); err != nil && !isNotFound(err) {
			t.Errorf("cleanup: remove volume %q: %v", v.Name, err)
		}
	}
}

// labels are the labels Compose puts on replica 1 of service svc.
func (c *env) labels(svc string) map[string]string {
	return map[string]string{
		project.LabelProject: c.project,
		project.LabelService: svc,
		project.LabelNumber:  "1",
		project.LabelOneOff:  "False",
	}
}

// spec is a container of service svc running command cmd.
func (c *env) spec(svc string, cmd ...string) engine.ContainerSpec {
	return engine.ContainerSpec{
		Name:    c.project + "-" + svc + "-1",
		Image:   c.cfg.Image,
		Labels:  c.labels(svc),
		Command: cmd,
	}
}

// create creates the container and fails the test when it cannot.
func (c *env) create(t *testing.T, spec engine.ContainerSpec) string {
	t.Helper()
	id, err := c.eng.CreateContainer(c.ctx(t), spec)
	if err != nil {
		t.Fatalf("create %q: %v", spec.Name, err)
	}
	if id == "" {
		t.Fatalf("create %q: empty ID", spec.Name)
	}
	return id
}

func (c *env) start(t *testing.T, id string) {
	t.Helper()
	if err := c.eng.StartContainer(c.ctx(t), id); err != nil {
		t.Fatalf("start %s: %v", id, err)
	}
}

func (c *env) inspect(t *testing.T, id string) engine.Container {
	t.Helper()
	ctr, err := c.eng.InspectContainer(c.ctx(t), id)
	if err != nil {
		t.Fatalf("inspect %s: %v", id, err)
	}
	return ctr
}

// run creates the container, starts it and returns its exit code.
func (c *env) run(t *testing.T, spec engine.ContainerSpec) (id string, code int) {
	t.Helper()
	id = c.create(t, spec)
	ctx := c.ctx(t)
	codes, errs := c.eng.WaitContainer(ctx, id)
	c.start(t, id)
	return id, c.awaitExit(t, ctx, codes, errs)
}

func (c *env) awaitExit(t *testing.T, ctx context.Context, codes <-chan int, errs <-chan error) int {
	t.Helper()
	select {
	case code := <-codes:
		return code
	case err := <-errs:
		t.Fatalf("wait: %v", err)
	case <-ctx.Done():
		t.Fatalf("wait: no exit within %v", c.cfg.Timeout)
	}
	return -1
}
