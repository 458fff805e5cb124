package reconciler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// observeExternal looks up the external networks and volumes the services
// use: berth never creates them, so a missing one must stop `up` before
// anything is created.
func observeExternal(ctx context.Context, eng engine.Engine, ds *desiredSet) (map[string]bool, error) {
	refs := externalRefs(ds)
	var mu sync.Mutex
	out := map[string]bool{}
	g, ctx := errgroup.WithContext(ctx)
	for _, ref := range slices.Sorted(maps.Keys(refs)) {
		g.Go(func() error {
			var err error
			kind, name := refs[ref][0], refs[ref][1]
			if kind == "network" {
				_, err = eng.InspectNetwork(ctx, name)
			} else {
				_, err = eng.InspectVolume(ctx, name)
			}
			if err != nil && !errors.Is(err, engine.ErrNotFound) {
				return fmt.Errorf("inspect %s %q: %w", kind, name, err)
			}
			mu.Lock()
			out[ref] = err == nil
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// externalRefs maps "network:<name>" / "volume:<name>" to kind and name for
// every external network and volume a service uses.
func externalRefs(ds *desiredSet) map[string][2]string {
	p := ds.p
	refs := map[string][2]string{}
	for _, key := range ds.usedNetworks(p.ServiceNames()) {
		if network.IsExternal(p, key) {
			name := project.NetworkName(p, key)
			refs["network:"+name] = [2]string{"network", name}
		}
	}
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if cfg, ok := p.Volumes[v.Source]; ok && v.Type == types.VolumeTypeVolume && bool(cfg.External) {
				name := project.VolumeName(p, v.Source)
				refs["volume:"+name] = [2]string{"volume", name}
			}
		}
	}
	return refs
}

// observeFiles says which secret and config files exist on this host.
func observeFiles(ds *desiredSet) map[string]bool {
	out := map[string]bool{}
	for _, d := range ds.services {
		for _, ref := range d.files {
			if ref.file != "" {
				_, err := os.Stat(ref.file)
				out[ref.file] = err == nil
			}
		}
	}
	return out
}
