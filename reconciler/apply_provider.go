package reconciler

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"berth/engine"
	"berth/provider"
)

// runProvider runs the provider command of act and keeps the variables an
// up sets for the creates of its dependents. The provider's info messages
// show as its progress; debug messages are not shown.
func (a *applier) runProvider(ctx context.Context, act Action) error {
	req := provider.Request{Project: a.plan.Project.Name, Service: act.Service, Command: providerCommand[act.Op],
		Config: *act.Provider, Env: providerEnviron(a.plan.Project.Environment)}
	report := func(m provider.Message) {
		if m.Type == provider.TypeInfo {
			a.progress.Event(ProgressEvent{Kind: "Provider", Name: act.Target, Service: act.Service, Status: provider.FirstLine(m.Message)})
		}
	}
	vars, _, err := provider.Run(ctx, req, report)
	if err != nil {
		return fmt.Errorf("service %q: provider %q: %w", act.Service, act.Provider.Type, err)
	}
	a.provMu.Lock()
	a.provided[act.Service] = vars
	a.provMu.Unlock()
	return nil
}

// providerEnviron is the environment a provider runs in: the project's
// (berth's own environment and the .env file), sorted. The docker CLI's
// plugin marker is left out, so a provider that is a docker CLI plugin
// knows it runs on its own.
func providerEnviron(env map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if k != "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND" {
			out = append(out, k+"="+env[k])
		}
	}
	return out
}

// withProviderEnv is the spec a create makes: act's own, with the
// variables of the providers the service depends on. A provider's raw
// variable that replaces one the service declares earns a warning.
func (a *applier) withProviderEnv(act Action) engine.ContainerSpec {
	spec := *act.Container
	if len(act.Providers) == 0 || a.plan.Project == nil {
		return spec
	}
	a.provMu.Lock()
	vars := maps.Clone(a.provided)
	a.provMu.Unlock()
	declared := a.plan.Project.Services[act.Service].Environment
	merged, overrides := provider.Merge(envMap(spec.Environment, declared), act.Providers, vars)
	for _, o := range overrides {
		a.warn(fmt.Sprintf("provider %q overrides environment variable %q in service %q", o.Provider, o.Key, act.Service))
	}
	spec.Environment = nil
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		if v := merged[k]; v != nil {
			spec.Environment = append(spec.Environment, k+"="+*v)
		}
	}
	return spec
}

// envMap is a spec's environment as a map, with the variables the service
// declares without a value (and that were left out) back as nil.
func envMap(env []string, declared map[string]*string) map[string]*string {
	out := map[string]*string{}
	for k, v := range declared {
		if v == nil {
			out[k] = nil
		}
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = &v
	}
	return out
}
