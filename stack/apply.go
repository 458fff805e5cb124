package stack

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
)

// Status is where an action is: started, done, or a warning it gave.
type Status string

const (
	Working Status = "working"
	Done    Status = "done"
	Warned  Status = "warning"
)

// removeTimeout bounds the wait for a removed stack's tasks to go: each
// stops within its stop_grace_period, and a node that never answers
// should not hold stack rm forever.
const removeTimeout = 3 * time.Minute

// Progress receives each action as it starts and ends, and the engine's
// warnings (detail holds the text).
type Progress func(a Action, s Status, detail string)

// ApplyOptions are the choices of a deploy's apply.
type ApplyOptions struct {
	// HealthTimeout bounds each wait-healthy action.
	HealthTimeout time.Duration
}

func errMissing(kind, name string) error {
	return fmt.Errorf("%s %q not found: create it (docker %s create) or declare it in the file", kind, name, kind)
}

// Apply runs the plan's actions in order (the plan's order respects
// After; a deploy is a handful of calls, so they run one at a time). It
// stops at the first failure: what ran is consistent with the file, and
// the next deploy's plan takes up the rest.
func Apply(ctx context.Context, sw engine.Swarm, plan Plan, st Observed, o ApplyOptions, progress Progress) error {
	ids := newObjectIDs(st)
	if needsExternal(plan) {
		if err := ids.external(ctx, sw); err != nil {
			return err
		}
	}
	for _, a := range plan.Actions {
		progress(a, Working, "")
		warnings, err := do(ctx, sw, plan.Stack, a, ids, o)
		for _, w := range warnings {
			progress(a, Warned, w)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", a.Op, a.Target, err)
		}
		progress(a, Done, "")
	}
	return nil
}

// needsExternal reports whether a service refers to a secret or config
// the stack does not own (external: true), whose ID must be looked up.
func needsExternal(plan Plan) bool {
	for _, a := range plan.Actions {
		if a.Service == nil {
			continue
		}
		cs := a.Service.Spec.TaskTemplate.ContainerSpec
		if len(cs.Secrets)+len(cs.Configs) > 0 {
			return true
		}
	}
	return false
}

// do runs one action.
func do(ctx context.Context, sw engine.Swarm, stack string, a Action, ids objectIDs, o ApplyOptions) ([]string, error) {
	switch a.Op {
	case OpCreateNetwork:
		_, err := sw.CreateStackNetwork(ctx, *a.Network)
		return nil, err
	case OpCreateSecret:
		id, err := sw.CreateSecret(ctx, swarm.SecretSpec{Annotations: objectAnnotations(stack, a.Object), Data: a.Object.Data})
		ids.secrets[a.Target] = id
		return nil, err
	case OpCreateConfig:
		id, err := sw.CreateConfig(ctx, swarm.ConfigSpec{Annotations: objectAnnotations(stack, a.Object), Data: a.Object.Data})
		ids.configs[a.Target] = id
		return nil, err
	case OpCreateService, OpUpdateService:
		spec, err := ids.fill(a.Service.Spec)
		if err != nil {
			return nil, err
		}
		if a.Op == OpCreateService {
			_, warnings, err := sw.CreateService(ctx, spec)
			return warnings, err
		}
		return sw.UpdateService(ctx, a.ID, a.Version, spec)
	case OpWaitHealthy:
		wctx, cancel := context.WithTimeout(ctx, o.HealthTimeout)
		defer cancel()
		return nil, Wait(wctx, sw, stack, []string{a.Target}, time.Now())
	case OpWaitRemoved:
		wctx, cancel := context.WithTimeout(ctx, removeTimeout)
		defer cancel()
		return nil, WaitRemoved(wctx, sw, stack)
	case OpRemoveService:
		return nil, sw.RemoveService(ctx, a.ID)
	case OpRemoveSecret:
		return nil, sw.RemoveSecret(ctx, a.ID)
	case OpRemoveConfig:
		return nil, sw.RemoveConfig(ctx, a.ID)
	case OpRemoveNetwork:
		return nil, sw.RemoveStackNetwork(ctx, a.ID)
	}
	return nil, fmt.Errorf("unknown action %q", a.Op)
}

// objectAnnotations name a secret or config and label it with the stack.
func objectAnnotations(stack string, o *Object) swarm.Annotations {
	return swarm.Annotations{Name: o.Name, Labels: map[string]string{LabelNamespace: stack, LabelObject: o.Key}}
}
