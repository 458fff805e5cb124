package reconciler

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"berth/engine"
	"berth/network"
	"berth/project"
)

// ProjectByName is the project called name as its objects on the engine
// describe it, for the commands that need no compose file (down, ps, logs,
// stop, …) when none is found: a service per service label of its
// containers, one-off ones aside, with the image its containers run, as many
// replicas as it has containers, and the depends_on its label records;
// the networks and volumes that carry the project label, under the keys
// their labels give. A project with no object at all is empty, not an error.
func ProjectByName(ctx context.Context, eng engine.Engine, name string) (*types.Project, error) {
	var (
		containers []engine.Container
		networks   []network.Info
		volumes    []engine.Volume
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		containers, err = eng.ListContainers(gctx, engine.ContainerFilter{Project: name})
		return wrap("list containers", err)
	})
	g.Go(func() (err error) {
		networks, err = eng.ListNetworks(gctx, name)
		return wrap("list networks", err)
	})
	g.Go(func() (err error) {
		volumes, err = eng.ListVolumes(gctx, name)
		return wrap("list volumes", err)
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("project %q: %w", name, err)
	}
	return projectFromObjects(name, containers, networks, volumes), nil
}

// projectFromObjects builds the project from what the engine holds; pure.
func projectFromObjects(name string, containers []engine.Container, networks []network.Info, volumes []engine.Volume) *types.Project {
	p := &types.Project{Name: name, Services: types.Services{}, Networks: types.Networks{}, Volumes: types.Volumes{}}
	byName := map[string]string{} // network name -> key
	for _, n := range networks {
		key := cmp.Or(n.Labels[project.LabelNetwork], n.Name)
		p.Networks[key] = types.NetworkConfig{Name: n.Name, Labels: n.Labels}
		byName[n.Name] = key
	}
	for _, v := range volumes {
		key := cmp.Or(v.Labels[project.LabelVolume], v.Name)
		p.Volumes[key] = types.VolumeConfig{Name: v.Name, Labels: v.Labels}
	}
	for _, c := range containers {
		svc := c.Labels[project.LabelService]
		if svc == "" || c.Labels[project.LabelOneOff] == "True" {
			continue
		}
		s, ok := p.Services[svc]
		if !ok {
			s = serviceFromContainer(svc, c, byName)
			if p.WorkingDir == "" {
				p.WorkingDir = c.Labels[project.LabelWorkingDir]
			}
		}
		replicas := 1
		if s.Scale != nil {
			replicas = *s.Scale + 1
		}
		s.Scale = &replicas
		p.Services[svc] = s
	}
	// A dependency whose containers are gone is no longer the project's.
	for name, s := range p.Services {
		for dep := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				delete(s.DependsOn, dep)
			}
		}
		p.Services[name] = s
	}
	return p
}

// serviceFromContainer is the service that container c (its first one
// seen) tells of.
func serviceFromContainer(name string, c engine.Container, networkKeys map[string]string) types.ServiceConfig {
	s := types.ServiceConfig{Name: name}
	s.Image = c.Image
	if n, err := strconv.Atoi(c.Labels[project.LabelNumber]); err == nil && n == 1 && c.Name != "" &&
		!strings.HasSuffix(c.Name, "-"+name+"-1") && !strings.HasSuffix(c.Name, "_"+name+"_1") {
		s.ContainerName = c.Name // container_name: the only container of its service
	}
	s.DependsOn = dependsOnFromLabel(c.Labels[project.LabelDependsOn])
	for _, n := range c.Networks {
		if key, ok := networkKeys[n]; ok {
			if s.Networks == nil {
				s.Networks = map[string]*types.ServiceNetworkConfig{}
			}
			s.Networks[key] = nil
		}
	}
	if len(s.Networks) == 0 && len(c.Networks) > 0 {
		s.NetworkMode = c.Networks[0] // host, none, or a network of no project
	}
	return s
}

// dependsOnFromLabel reads com.docker.compose.depends_on
// ("db:service_healthy:true,cache:service_started:false"). Compose's older
// forms without a condition or restart flag mean a started dependency that
// restarts with it.
func dependsOnFromLabel(label string) types.DependsOnConfig {
	if label == "" {
		return nil
	}
	deps := types.DependsOnConfig{}
	for _, part := range strings.Split(label, ",") {
		fields := strings.Split(part, ":")
		if fields[0] == "" {
			continue
		}
		d := types.ServiceDependency{Condition: types.ServiceConditionStarted, Restart: true, Required: true}
		if len(fields) > 1 && fields[1] != "" {
			d.Condition = fields[1]
		}
		if len(fields) > 2 {
			d.Restart, _ = strconv.ParseBool(fields[2])
		}
		deps[fields[0]] = d
	}
	return deps
}

// SelectByName keeps the named services of a project built by name; a name
// it does not know is an error naming it, as Docker Compose words it.
func SelectByName(p *types.Project, services []string) (*types.Project, error) {
	for _, s := range services {
		if _, ok := p.Services[s]; !ok {
			return nil, fmt.Errorf("no such service: %q", s)
		}
	}
	if len(services) == 0 {
		return p, nil
	}
	return p.WithSelectedServices(slices.Clone(services))
}
