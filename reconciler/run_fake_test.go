package reconciler_test

import (
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/reconciler"
)

// TestRunOnFakeEngine applies run plans: the dependency runs before the
// one-off is created (not started: the caller attaches first), the one-off
// is found again as one (oneoff=True), and --rm removes it.
func TestRunOnFakeEngine(t *testing.T) {
	cases := []struct {
		o    reconciler.RunOptions
		want map[string]engine.State // by name; the one-off is "run"
	}{
		{reconciler.RunOptions{Service: "web"}, map[string]engine.State{"demo-db-1": engine.StateRunning, "run": engine.StateCreated}},
		{reconciler.RunOptions{Service: "web", NoDeps: true}, map[string]engine.State{"run": engine.StateCreated}},
		{reconciler.RunOptions{Service: "db", Name: "admin"}, map[string]engine.State{"run": engine.StateCreated}},
	}
	for _, c := range cases {
		eng := fake.New("busybox")
		p := load(t, twoServices)
		c.o.Slug = reconciler.NewSlug()
		plan, spec, err := reconciler.RunPlan(t.Context(), eng, p, c.o)
		if err != nil {
			t.Fatal(err)
		}
		if err := reconciler.Apply(t.Context(), eng, plan, nil, reconciler.ApplyOptions{}); err != nil {
			t.Fatalf("%+v: %v", c.o, err)
		}
		got := states(t, eng, p)
		if st, ok := got[spec.Name]; ok {
			delete(got, spec.Name)
			got["run"] = st
		}
		if len(got) != len(c.want) {
			t.Errorf("%+v: containers %v, want %v", c.o, got, c.want)
		}
		for name, st := range c.want {
			if got[name] != st {
				t.Errorf("%+v: %s is %q, want %q", c.o, name, got[name], st)
			}
		}
		oneOff := true
		cs, _ := eng.ListContainers(t.Context(), engine.ContainerFilter{Project: p.Name, OneOff: &oneOff})
		if len(cs) != 1 || cs[0].Name != spec.Name {
			t.Fatalf("%+v: one-offs %v", c.o, cs)
		}
		if err := reconciler.RemoveOneOff(t.Context(), eng, spec.Name); err != nil {
			t.Fatal(err)
		}
		if cs, _ := eng.ListContainers(t.Context(), engine.ContainerFilter{Project: p.Name, OneOff: &oneOff}); len(cs) != 0 {
			t.Errorf("%+v: --rm left %v", c.o, cs)
		}
	}
}
