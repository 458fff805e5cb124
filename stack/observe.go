package stack

import (
	"context"

	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
)

// Observe takes one snapshot of the stack on the swarm, and of what the
// preflight checks need of the rest (nodes, other services' ports). On an
// engine that is no manager it returns only Info, for the plan to refuse.
func Observe(ctx context.Context, sw engine.Swarm, stack string) (Observed, error) {
	var st Observed
	var err error
	if st.Info, err = sw.SwarmInfo(ctx); err != nil || !st.Info.Manager {
		return st, err
	}
	if st.Nodes, err = sw.Nodes(ctx); err != nil {
		return st, err
	}
	all, err := sw.ListServices(ctx, "")
	if err != nil {
		return st, err
	}
	for _, s := range all {
		if s.Spec.Labels[LabelNamespace] == stack {
			st.Services = append(st.Services, s)
		} else {
			st.Others = append(st.Others, s)
		}
	}
	if st.Networks, err = sw.ListStackNetworks(ctx, stack); err != nil {
		return st, err
	}
	if st.Secrets, err = sw.ListSecrets(ctx, stack); err != nil {
		return st, err
	}
	st.Configs, err = sw.ListConfigs(ctx, stack)
	return st, err
}

// objectIDs maps the names of the stack's secrets or configs (and the
// external ones the services name) to their IDs, as apply fills them into
// the services' references.
type objectIDs struct {
	secrets, configs map[string]string
}

func newObjectIDs(st Observed) objectIDs {
	ids := objectIDs{secrets: map[string]string{}, configs: map[string]string{}}
	for _, s := range st.Secrets {
		ids.secrets[s.Spec.Name] = s.ID
	}
	for _, c := range st.Configs {
		ids.configs[c.Spec.Name] = c.ID
	}
	return ids
}

// external looks up the IDs of secrets and configs outside the stack
// that the services name.
func (ids objectIDs) external(ctx context.Context, sw engine.Swarm) error {
	secrets, err := sw.ListSecrets(ctx, "")
	if err != nil {
		return err
	}
	for _, s := range secrets {
		if _, ok := ids.secrets[s.Spec.Name]; !ok {
			ids.secrets[s.Spec.Name] = s.ID
		}
	}
	configs, err := sw.ListConfigs(ctx, "")
	if err != nil {
		return err
	}
	for _, c := range configs {
		if _, ok := ids.configs[c.Spec.Name]; !ok {
			ids.configs[c.Spec.Name] = c.ID
		}
	}
	return nil
}

// fill sets the IDs of a spec's secret and config references.
func (ids objectIDs) fill(spec swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	cs := *spec.TaskTemplate.ContainerSpec
	cs.Secrets, cs.Configs = nil, nil
	for _, r := range spec.TaskTemplate.ContainerSpec.Secrets {
		ref := *r
		if ref.SecretID = ids.secrets[ref.SecretName]; ref.SecretID == "" {
			return spec, errMissing("secret", ref.SecretName)
		}
		cs.Secrets = append(cs.Secrets, &ref)
	}
	for _, r := range spec.TaskTemplate.ContainerSpec.Configs {
		ref := *r
		if ref.ConfigID = ids.configs[ref.ConfigName]; ref.ConfigID == "" {
			return spec, errMissing("config", ref.ConfigName)
		}
		cs.Configs = append(cs.Configs, &ref)
	}
	spec.TaskTemplate.ContainerSpec = &cs
	return spec, nil
}
