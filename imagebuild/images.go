package imagebuild

import (
	"context"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"berth/project"
)

// Builder runs one build on an engine and returns the new image's ID.
// engine.Engine satisfies it; build needs nothing more.
type Builder interface {
	BuildImage(ctx context.Context, req Request, out Output) (id string, err error)
}

// Event is one step of one image build, for cmd/berth to render.
type Event struct {
	Service string // the service whose build this is
	Image   string // the image name
	Status  string // "Building", "Built", "Error"; "" for a line of output
	Line    string // one line of the engine's output ("Step 2/5 : RUN …", "#5 [2/4] RUN npm ci")
	// Step is the step the build runs now, for a one-line display:
	// "Step 2/5 : RUN make", "[2/4] RUN npm ci 1.2s", "[3/4] COPY . . CACHED".
	Step    string
	Warning string // a key this builder does not apply, or the builder's own warning
	ID      string // the image ID, with "Built"
	Err     error  // with "Error"
}

// Progress receives build events. Images calls it from several goroutines
// at once, never concurrently for one service.
type Progress func(Event)

// job is one image to build and the services that run it.
type job struct {
	image    string
	service  types.ServiceConfig
	services []string
}

// Images builds the images of the named services (all services when none are
// named) that have a build section, in parallel up to o.Parallel. Services
// that run the same image build it once. It returns the image ID of every
// service it built for.
func Images(ctx context.Context, b Builder, p *types.Project, services []string, o Options, progress Progress) (map[string]string, error) {
	if progress == nil {
		progress = func(Event) {}
	}
	jobs := planJobs(p, services)
	ids := make([]string, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	if o.Parallel > 0 {
		g.SetLimit(o.Parallel)
	}
	for i, j := range jobs {
		g.Go(func() error {
			id, err := runJob(gctx, b, p, j, o, progress)
			ids[i] = id
			return err
		})
	}
	err := g.Wait()
	out := map[string]string{}
	for i, j := range jobs {
		for _, s := range j.services {
			if ids[i] != "" {
				out[s] = ids[i]
			}
		}
	}
	return out, err
}

// planJobs groups the selected services with a build section by image name,
// in sorted order; the first service by name builds for the group.
func planJobs(p *types.Project, services []string) []job {
	var jobs []job
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if s.Build == nil || (len(services) > 0 && !slices.Contains(services, name)) {
			continue
		}
		image := project.ImageName(p, s)
		if i := slices.IndexFunc(jobs, func(j job) bool { return j.image == image }); i >= 0 {
			jobs[i].services = append(jobs[i].services, name)
			continue
		}
		jobs = append(jobs, job{image: image, service: s, services: []string{name}})
	}
	slices.SortFunc(jobs, func(a, b job) int { return strings.Compare(a.image, b.image) })
	return jobs
}

// runJob builds one image, reporting its output, and names the Dockerfile
// step that failed when it fails.
func runJob(ctx context.Context, b Builder, p *types.Project, j job, o Options, progress Progress) (string, error) {
	name := j.service.Name
	if err := ctx.Err(); err != nil { // another build failed while this one waited
		return "", err
	}
	req, err := NewRequest(p, j.service, j.image, o)
	if err != nil {
		progress(Event{Service: name, Image: j.image, Status: "Error", Err: err})
		return "", err
	}
	if c, ok := req.Context.(io.Closer); ok {
		defer c.Close()
	}
	progress(Event{Service: name, Image: j.image, Status: "Building"})
	id, err := Run(ctx, b, req, progress)
	if err != nil {
		progress(Event{Service: name, Image: j.image, Status: "Error", Err: err})
		return "", err
	}
	progress(Event{Service: name, Image: j.image, Status: "Built", ID: id})
	return id, nil
}
