package reconciler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"berth/engine"
	"berth/registry"
)

// Registries is what pulls and pushes need beyond the engine: where logins
// come from, where pull times go, and whether a failed pull stops the run.
type Registries struct {
	Credentials *registry.Credentials // nil: anonymous
	Log         *registry.PullLog     // nil: not recorded
	// IgnorePullFailures turns a failed pull into a warning (the service's
	// containers are then left as they are).
	IgnorePullFailures bool
	// IgnorePushFailures does the same for pushes.
	IgnorePushFailures bool
	// BuildHint ends the run, when an image that failed to pull can be
	// built, with a warning naming the build command (berth pull does).
	BuildHint bool
}

// OpPush pushes one service's image.
const OpPush Op = "push"

func init() {
	words[OpPull] = wording{"Image", "Pulling", "Pulled"}
	words[OpPush] = wording{"Image", "Pushing", "Pushed"}
}

// pull pulls one reference with the login its registry wants, reporting
// the engine's messages as progress of the image.
func (a *applier) pull(ctx context.Context, act Action) error {
	ref, err := registry.ParseRef(act.Pull.Ref)
	if err != nil {
		return fmt.Errorf("service %q: %w", act.Service, err)
	}
	auth, err := a.auth(ref.Host())
	if err != nil {
		return fmt.Errorf("service %q: image %q: %w", act.Service, act.Target, err)
	}
	opts := engine.PullOptions{Platform: act.Pull.Platform, Auth: auth}
	if err := a.eng.PullImage(ctx, act.Pull.Ref, opts, a.transferProgress(act, "Pulling")); err != nil {
		return pullFailure(act, ref.Host(), err)
	}
	if a.reg.Log != nil {
		_ = a.reg.Log.Record(act.Pull.Ref, time.Now()) // losing a time only pulls once more
	}
	return nil
}

// push pushes one image with the login its registry wants.
func (a *applier) push(ctx context.Context, act Action) error {
	ref, err := registry.ParseRef(act.Target)
	if err != nil {
		return failure(act, "push image", err)
	}
	auth, err := a.auth(ref.Host())
	if err != nil {
		return failure(act, "push image", err)
	}
	err = a.eng.PushImage(ctx, act.Target, engine.PushOptions{Auth: auth}, a.transferProgress(act, "Pushing"))
	if errors.Is(err, engine.ErrUnauthorized) {
		return fmt.Errorf("service %q: push access denied for %s: run `docker login %s`: %w", act.Service, act.Target, ref.Host(), err)
	}
	return failure(act, "push image", err)
}

// ignorable says whether a failure of act is only a warning for this run:
// when asked, and for the image of services that can build it instead, as
// Docker Compose's pull does.
func (a *applier) ignorable(act Action) bool {
	return act.Op == OpPull && (a.reg.IgnorePullFailures || a.buildable(act)) || act.Op == OpPush && a.reg.IgnorePushFailures
}

// mustBuild remembers the services of a failed pull that can build their
// image instead, for the closing hint.
func (a *applier) mustBuild(act Action) {
	if act.Op != OpPull || !a.buildable(act) {
		return
	}
	a.errMu.Lock()
	a.toBuild = append(a.toBuild, act.Pull.Services...)
	a.errMu.Unlock()
}

// buildHint is the closing warning of a pull whose failed images can be
// built, in Docker Compose's words.
func (a *applier) buildHint() {
	if !a.reg.BuildHint || len(a.toBuild) == 0 {
		return
	}
	slices.Sort(a.toBuild)
	a.warn("WARNING: Some service image(s) must be built from source by running:\n    berth build " + strings.Join(slices.Compact(a.toBuild), " "))
}

// buildable says whether every service act pulls for has a build section.
func (a *applier) buildable(act Action) bool {
	if a.plan.Project == nil || act.Pull == nil {
		return false
	}
	for _, name := range act.Pull.Services {
		if s, ok := a.plan.Project.Services[name]; !ok || s.Build == nil {
			return false
		}
	}
	return true
}

// auth is the login for host, converted for the engine.
func (a *applier) auth(host string) (*engine.Auth, error) {
	if a.reg.Credentials == nil {
		return nil, nil
	}
	l, err := a.reg.Credentials.For(host)
	if err != nil || l == nil {
		return nil, err
	}
	return &engine.Auth{Username: l.Username, Password: l.Password, IdentityToken: l.IdentityToken, ServerAddress: l.ServerAddress}, nil
}

// transferProgress turns the engine's messages into progress events of the
// image: one per message, with the layer and its bytes.
func (a *applier) transferProgress(act Action, status string) func(engine.TransferProgress) {
	return func(p engine.TransferProgress) {
		a.progress.Event(ProgressEvent{Kind: "Image", Name: act.Target, Service: act.Service, Status: status,
			Layer: p.Layer, Detail: p.Status, Current: p.Current, Total: p.Total})
	}
}

// pullFailure words a failed pull for the person who must fix it: the
// service, the image, and for a refused login the command that gives one.
func pullFailure(act Action, host string, err error) error {
	switch {
	case errors.Is(err, engine.ErrUnauthorized):
		return fmt.Errorf("service %q: pull access denied for %s, repository does not exist or may require authorization: run `docker login %s`: %w",
			act.Service, act.Target, host, err)
	case errors.Is(err, engine.ErrNotFound):
		return fmt.Errorf("service %q: image %q not found in its registry: %w", act.Service, act.Target, err)
	}
	return fmt.Errorf("service %q: pull %w", act.Service, err) // the engine error names the image
}
