package stack

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

// translated are the service keys Translate carries into the spec (or
// that need nothing on Swarm: expose, since overlay networks do not
// filter ports; build and profiles, which act before the deploy; env_file
// and label_file, merged by the loader).
var translated = map[string]bool{
	"image": true, "build": true, "deploy": true, "restart": true, "scale": true,
	"environment": true, "env_file": true, "labels": true, "label_file": true,
	"command": true, "entrypoint": true, "user": true, "working_dir": true, "init": true,
	"stop_grace_period": true, "stop_signal": true, "cap_add": true, "cap_drop": true,
	"sysctls": true, "ulimits": true, "logging": true, "log_driver": true, "log_opt": true,
	"healthcheck": true, "ports": true, "volumes": true, "tmpfs": true, "networks": true,
	"secrets": true, "configs": true, "depends_on": true, "hostname": true, "dns": true,
	"dns_search": true, "dns_opt": true, "extra_hosts": true, "tty": true, "stdin_open": true,
	"read_only": true, "group_add": true, "isolation": true, "oom_score_adj": true,
	"cpus": true, "mem_limit": true, "mem_reservation": true, "pids_limit": true,
	"platform": true, "profiles": true, "expose": true,
}

// deployTranslated are the deploy keys a Swarm service spec holds.
var deployTranslated = map[string]bool{
	"mode": true, "replicas": true, "labels": true, "update_config": true, "rollback_config": true,
	"resources": true, "restart_policy": true, "placement": true, "endpoint_mode": true,
}

// unsupportedKeys names every key set on the service that Swarm cannot
// express, sorted: read from the service's JSON, so a key the loader
// learns later is reported too rather than dropped.
func unsupportedKeys(s types.ServiceConfig) []string {
	var doc map[string]json.RawMessage
	b, err := json.Marshal(s)
	if err != nil || json.Unmarshal(b, &doc) != nil {
		return nil // plain data marshals; nothing to report otherwise
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if !translated[k] {
			out = append(out, k)
		}
	}
	if s.Deploy != nil {
		out = append(out, deployUnsupported(s.Deploy)...)
	}
	for _, v := range s.Volumes {
		if v.Bind != nil && (v.Bind.SELinux != "" || v.Bind.Recursive != "") {
			out = append(out, "volumes["+v.Target+"].bind (selinux, recursive)")
		}
	}
	if s.HealthCheck != nil && s.HealthCheck.StartInterval != nil {
		out = append(out, "healthcheck.start_interval")
	}
	return out
}

// deployUnsupported are the deploy keys outside the service spec.
func deployUnsupported(d *types.DeployConfig) []string {
	var doc map[string]json.RawMessage
	b, _ := json.Marshal(d)
	_ = json.Unmarshal(b, &doc)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if !deployTranslated[k] {
			out = append(out, "deploy."+k)
		}
	}
	if r := d.Resources.Reservations; r != nil && len(r.Devices) > 0 {
		out = append(out, "deploy.resources.reservations.devices")
	}
	if l := d.Resources.Limits; l != nil && len(l.Devices)+len(l.GenericResources) > 0 {
		out = append(out, "deploy.resources.limits (devices, generic_resources)")
	}
	return out
}

// fieldDigests are the parts of a service spec a plan names when they
// change, in compose's words where it has one.
var fieldDigests = []struct {
	name string
	part func(swarm.ServiceSpec) any
}{
	{"image", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Image }},
	{"entrypoint", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Command }},
	{"command", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Args }},
	{"labels", func(s swarm.ServiceSpec) any { return without(s.TaskTemplate.ContainerSpec.Labels, LabelTask) }},
	{"deploy.labels", func(s swarm.ServiceSpec) any { return without(s.Labels, LabelDigests) }},
	{"deploy.mode", func(s swarm.ServiceSpec) any { return modeKind(s.Mode) }},
	{"deploy.replicas", func(s swarm.ServiceSpec) any { return s.Mode }},
	{"deploy.resources", func(s swarm.ServiceSpec) any { return s.TaskTemplate.Resources }},
	{"deploy.restart_policy", func(s swarm.ServiceSpec) any { return s.TaskTemplate.RestartPolicy }},
	{"deploy.placement", func(s swarm.ServiceSpec) any { return s.TaskTemplate.Placement }},
	{"deploy.update_config", func(s swarm.ServiceSpec) any { return s.UpdateConfig }},
	{"deploy.rollback_config", func(s swarm.ServiceSpec) any { return s.RollbackConfig }},
	{"ports", func(s swarm.ServiceSpec) any { return s.EndpointSpec }},
	{"networks", func(s swarm.ServiceSpec) any { return s.TaskTemplate.Networks }},
	{"logging", func(s swarm.ServiceSpec) any { return s.TaskTemplate.LogDriver }},
	{"volumes", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Mounts }},
	{"secrets", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Secrets }},
	{"configs", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Configs }},
	{"healthcheck", func(s swarm.ServiceSpec) any { return s.TaskTemplate.ContainerSpec.Healthcheck }},
	{"container", func(s swarm.ServiceSpec) any { return containerRest(*s.TaskTemplate.ContainerSpec) }},
}

// modeKind is the mode without its counts, so that scaling is named as
// deploy.replicas alone.
func modeKind(m swarm.ServiceMode) string {
	switch {
	case m.Global != nil:
		return "global"
	case m.ReplicatedJob != nil:
		return "replicated-job"
	case m.GlobalJob != nil:
		return "global-job"
	}
	return "replicated"
}

// containerRest is the container spec without the parts digested on
// their own, so that a change there is named once.
func containerRest(c swarm.ContainerSpec) swarm.ContainerSpec {
	c.Image, c.Command, c.Args, c.Labels, c.Env = "", nil, nil, nil, nil
	c.Mounts, c.Secrets, c.Configs, c.Healthcheck = nil, nil, nil, nil
	return c
}

// without is the labels without one of berth's own.
func without(l map[string]string, key string) map[string]string {
	l = maps.Clone(l)
	delete(l, key)
	return l
}

// specDigests digests each named part of the spec, and each environment
// variable on its own (environment.NAME), so a reason says which changed.
func specDigests(s swarm.ServiceSpec) map[string]string {
	d := map[string]string{}
	for _, f := range fieldDigests {
		d[f.name] = jsonDigest(f.part(s))
	}
	for _, kv := range s.TaskTemplate.ContainerSpec.Env {
		k, v, _ := strings.Cut(kv, "=")
		d["environment."+k] = digest(nil, []byte(v))
	}
	return d
}

// changedFields names the fields whose digests differ, sorted: a field
// only one side has counts as changed.
func changedFields(want, have map[string]string) []string {
	var out []string
	for k, v := range want {
		if have[k] != v {
			out = append(out, k)
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
