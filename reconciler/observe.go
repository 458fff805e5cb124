package reconciler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// Observed is one snapshot of what the engine holds for a project: everything
// NewPlan compares the project with, so planning makes no engine call.
type Observed struct {
	// APIVersion is the engine's API version: which gated features
	// (engine.Feature) the plan may use. "" is the oldest engine.
	APIVersion string
	Containers []engine.Container
	Networks   []network.Info
	// Volumes are the project's volumes; they are listed only when the
	// project declares a volume of its own (not external), the only ones
	// planning looks them up for.
	Volumes []engine.Volume
	// Images are the images the services run, by reference; a reference
	// that is not present locally has no entry.
	Images map[string]engine.Image
	// Pulled is when berth last pulled each reference (its pull log), for
	// the timed pull policies; Up fills it, Observe does not.
	Pulled map[string]time.Time
	// External holds the external networks ("network:<name>") and volumes
	// ("volume:<name>") the services use, true when the engine has them.
	External map[string]bool
	// Files holds the files secrets and configs read, true when present.
	Files map[string]bool

	// desired is the project as resolved for this snapshot: what Observe
	// looked up, and what the plans made from the snapshot plan from.
	desired *desiredSet
}

// Observe takes the snapshot, all calls at once: one list call each for
// containers, networks and volumes (by project label; volumes only when the
// project declares its own), and one inspection per image reference. It
// resolves the services while the first calls are in flight; the external
// resources and files it looks up are the ones that resolution names.
func Observe(ctx context.Context, eng engine.Engine, p *types.Project) (Observed, error) {
	var st Observed
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		st.Containers, err = eng.ListContainers(ctx, engine.ContainerFilter{Project: p.Name})
		return wrap("list containers", err)
	})
	g.Go(func() (err error) {
		st.Networks, err = eng.ListNetworks(ctx, p.Name)
		return wrap("list networks", err)
	})
	if declaresVolumes(p) {
		g.Go(func() (err error) {
			st.Volumes, err = eng.ListVolumes(ctx, p.Name)
			return wrap("list volumes", err)
		})
	}
	g.Go(func() (err error) {
		st.Images, err = ObserveImages(ctx, eng, p)
		return err
	})
	st.APIVersion = eng.APIVersion()
	desired := resolve(p, st.APIVersion)
	g.Go(func() (err error) {
		st.External, err = observeExternal(ctx, eng, desired)
		return err
	})
	st.Files = observeFiles(desired)
	if err := g.Wait(); err != nil {
		return Observed{}, fmt.Errorf("observe project %q: %w", p.Name, err)
	}
	st.desired = desired
	return st, nil
}

// ObserveImages inspects every image the project's services run.
func ObserveImages(ctx context.Context, eng engine.Engine, p *types.Project) (map[string]engine.Image, error) {
	refs := map[string]bool{}
	for _, s := range p.Services {
		refs[project.ImageName(p, s)] = true
	}
	var mu sync.Mutex
	images := map[string]engine.Image{}
	g, ctx := errgroup.WithContext(ctx)
	for _, ref := range slices.Sorted(maps.Keys(refs)) {
		g.Go(func() error {
			img, err := eng.InspectImage(ctx, ref)
			if errors.Is(err, engine.ErrNotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("inspect image %q: %w", ref, err)
			}
			mu.Lock()
			images[ref] = img
			mu.Unlock()
			return nil
		})
	}
	return images, g.Wait()
}

// declaresVolumes says whether the project declares a volume berth manages
// (one not external): up creates and down removes only those, so without
// one the volume list would answer no question.
func declaresVolumes(p *types.Project) bool {
	for _, v := range p.Volumes {
		if !bool(v.External) {
			return true
		}
	}
	return false
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
