package reconciler_test

import (
	"testing"

	"berth/engine/fake"
	"berth/reconciler"
)

// Observe lists volumes only for a project that declares its own: without
// one the list answers nothing the plan asks.
func TestObserveListsVolumesOnlyWhenDeclared(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       int
	}{
		{"none", "services:\n  web: {image: busybox, command: [sleep, inf]}\n", 0},
		{"external only", "services:\n  web: {image: busybox, volumes: [ext:/d]}\nvolumes:\n  ext: {external: true}\n", 0},
		{"declared", twoServices, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := fake.New("busybox")
			p := load(t, tc.file)
			st, err := reconciler.Observe(t.Context(), eng, p)
			if err != nil {
				t.Fatal(err)
			}
			if n := eng.Calls("ListVolumes"); n != tc.want {
				t.Errorf("%d ListVolumes calls, want %d", n, tc.want)
			}
			if n := eng.Calls("ListContainers") + eng.Calls("ListNetworks"); n != 2 {
				t.Errorf("%d container and network list calls, want 2", n)
			}
			if _, ok := st.Images["busybox"]; !ok {
				t.Errorf("images observed: %v, want busybox", st.Images)
			}
		})
	}
}

// A declared volume that exists is seen, so a warm up does not create it
// again, and down -v removes it.
func TestObserveDeclaredVolumeSeenByUpAndDown(t *testing.T) {
	eng := fake.New("busybox")
	p := load(t, twoServices)
	mustUp(t, eng, p)
	eng.ResetCalls()
	mustUp(t, eng, p)
	if n := eng.Calls("CreateVolume"); n != 0 {
		t.Errorf("warm up: %d CreateVolume calls", n)
	}
	if _, err := reconciler.Down(t.Context(), eng, p, reconciler.DownOptions{Volumes: true}, reconciler.ApplyOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if vols, _ := eng.ListVolumes(t.Context(), p.Name); len(vols) != 0 {
		t.Errorf("after down -v: volumes %v", vols)
	}
}
