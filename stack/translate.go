package stack

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"

	"berth/project"
)

// Service is one compose service as Swarm will run it.
type Service struct {
	Name string // the compose service
	Spec swarm.ServiceSpec
	// Digests are per-field digests of Spec (see LabelDigests), also set
	// as that label on Spec.
	Digests map[string]string
	// DependsOn is the compose depends_on: service → condition.
	DependsOn map[string]string
	// Warnings name what Swarm cannot keep of the service: one line for
	// all the keys it cannot express, one per other loss.
	Warnings []string
	// Build is true when berth builds the image (build:).
	Build bool
}

// translator turns services of one project into Swarm specs.
type translator struct {
	stack   string
	p       *types.Project
	secrets map[string]string // compose key → Swarm object name
	configs map[string]string
	pin     map[string]string // image reference → the reference tasks run
}

// translate is Service for one compose service. Notes collect the losses
// as the parts are translated; the unsupported keys come last, as one.
func (tr *translator) translate(s types.ServiceConfig) (Service, error) {
	n := &notes{}
	spec := swarm.ServiceSpec{Annotations: swarm.Annotations{
		Name:   ServiceName(tr.stack, s.Name),
		Labels: tr.serviceLabels(s),
	}}
	image := project.ImageName(tr.p, s)
	if pinned, ok := tr.pin[image]; ok {
		image = pinned
	}
	cs, err := tr.containerSpec(s, image, n)
	if err != nil {
		return Service{}, fmt.Errorf("service %q: %w", s.Name, err)
	}
	spec.TaskTemplate = swarm.TaskSpec{
		ContainerSpec: cs,
		Resources:     resources(s),
		RestartPolicy: restartPolicy(s, n),
		Placement:     placement(s),
		LogDriver:     logDriver(s),
		Networks:      tr.networkAttachments(s, n),
	}
	if spec.Mode, err = serviceMode(s); err != nil {
		return Service{}, fmt.Errorf("service %q: %w", s.Name, err)
	}
	if spec.EndpointSpec, err = endpointSpec(s, n); err != nil {
		return Service{}, fmt.Errorf("service %q: %w", s.Name, err)
	}
	if s.Deploy != nil {
		spec.UpdateConfig = updateConfig(s.Deploy.UpdateConfig)
		spec.RollbackConfig = updateConfig(s.Deploy.RollbackConfig)
	}
	spec.TaskTemplate.ContainerSpec.Labels[LabelTask] = jsonDigest(spec.TaskTemplate)
	if keys := unsupportedKeys(s); len(keys) > 0 {
		n.add("Swarm cannot express %s; these keys are ignored", strings.Join(keys, ", "))
	}
	out := Service{Name: s.Name, Spec: spec, DependsOn: dependsOn(s), Warnings: n.lines, Build: s.Build != nil}
	out.Digests = specDigests(spec)
	out.Spec.Labels[LabelDigests] = project.EncodeDigests(out.Digests)
	return out, nil
}

// notes collects the losses of one service's translation.
type notes struct{ lines []string }

func (n *notes) add(format string, args ...any) {
	n.lines = append(n.lines, fmt.Sprintf(format, args...))
}

// serviceLabels are deploy.labels plus the stack's own, on the service.
func (tr *translator) serviceLabels(s types.ServiceConfig) map[string]string {
	l := map[string]string{}
	if s.Deploy != nil {
		maps.Copy(l, s.Deploy.Labels)
	}
	l[LabelNamespace] = tr.stack
	l[LabelImage] = project.ImageName(tr.p, s)
	return l
}

// containerSpec is the part of the task that describes the container.
func (tr *translator) containerSpec(s types.ServiceConfig, image string, n *notes) (*swarm.ContainerSpec, error) {
	labels := map[string]string{}
	maps.Copy(labels, s.Labels)
	labels[LabelNamespace] = tr.stack
	cs := &swarm.ContainerSpec{
		Image:          image,
		Labels:         labels,
		Command:        s.Entrypoint,
		Args:           s.Command,
		Hostname:       s.Hostname,
		Env:            environment(s, n),
		Dir:            s.WorkingDir,
		User:           s.User,
		Groups:         s.GroupAdd,
		Init:           s.Init,
		StopSignal:     s.StopSignal,
		TTY:            s.Tty,
		OpenStdin:      s.StdinOpen,
		ReadOnly:       s.ReadOnly,
		Isolation:      container.Isolation(s.Isolation),
		Sysctls:        sysctls(s.Sysctls),
		CapabilityAdd:  s.CapAdd,
		CapabilityDrop: s.CapDrop,
		Ulimits:        ulimits(s.Ulimits),
		OomScoreAdj:    s.OomScoreAdj,
		Healthcheck:    healthcheck(s.HealthCheck),
		Hosts:          hosts(s.ExtraHosts),
	}
	if s.StopGracePeriod != nil {
		d := time.Duration(*s.StopGracePeriod)
		cs.StopGracePeriod = &d
	}
	var err error
	if cs.DNSConfig, err = dnsConfig(s); err != nil {
		return nil, err
	}
	if cs.Mounts, err = tr.mounts(s, n); err != nil {
		return nil, err
	}
	if cs.Secrets, err = tr.secretRefs(s); err != nil {
		return nil, err
	}
	if cs.Configs, err = tr.configRefs(s); err != nil {
		return nil, err
	}
	return cs, nil
}

// environment is the resolved environment (environment: over env_file:,
// as the loader merged them), sorted. A variable without a value has
// nothing to take it from on a Swarm node, so it is named in a warning.
func environment(s types.ServiceConfig, n *notes) []string {
	var env, unset []string
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		if v := s.Environment[k]; v != nil {
			env = append(env, k+"="+*v)
		} else {
			unset = append(unset, k)
		}
	}
	if len(unset) > 0 {
		n.add("environment %s has no value here; Swarm tasks do not see it", strings.Join(unset, ", "))
	}
	return env
}

// sysctls is the sysctls mapping as the engine takes it.
func sysctls(m types.Mapping) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(map[string]string(m))
}

// hosts renders extra_hosts as Swarm's "IP host" lines, sorted.
func hosts(h types.HostsList) []string {
	var out []string
	for _, host := range slices.Sorted(maps.Keys(h)) {
		for _, ip := range h[host] {
			out = append(out, ip+" "+host)
		}
	}
	return out
}

// dependsOn is depends_on as service → condition.
func dependsOn(s types.ServiceConfig) map[string]string {
	if len(s.DependsOn) == 0 {
		return nil
	}
	d := map[string]string{}
	for name, dep := range s.DependsOn {
		d[name] = dep.Condition
	}
	return d
}

// serviceMode is deploy.mode with the replicas (deploy.replicas or scale).
func serviceMode(s types.ServiceConfig) (swarm.ServiceMode, error) {
	mode := ""
	if s.Deploy != nil {
		mode = s.Deploy.Mode
	}
	replicas := uint64(s.GetScale())
	switch mode {
	case "", "replicated":
		return swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}}, nil
	case "global":
		return swarm.ServiceMode{Global: &swarm.GlobalService{}}, nil
	case "replicated-job":
		return swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{TotalCompletions: &replicas}}, nil
	case "global-job":
		return swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}}, nil
	}
	return swarm.ServiceMode{}, fmt.Errorf("deploy.mode %q: want replicated, global, replicated-job or global-job", mode)
}

// parsePort reads a published port; a range is not one port.
func parsePort(s string) (uint32, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("published port %q: Swarm publishes single ports, not ranges", s)
	}
	return uint32(n), nil
}
