package reconciler

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
	"berth/registry"
)

// OpPull pulls one image reference for the services that run it.
const OpPull Op = "pull"

// PullTarget is an image to pull: the reference as the services write it,
// the platform to pull for, and the services that run it.
type PullTarget struct {
	Ref      string
	Platform string
	Services []string
}

// pullKey is one distinct pull: the same reference for two platforms is two.
type pullKey struct{ ref, platform string }

// planPulls adds one pull per distinct reference that the selected services
// need pulled under their pull policy (or --pull), before anything else: a
// failed pull must leave nothing created. A service with both image: and a
// build section is pulled first too, as Docker Compose does: a failed pull
// of it is only a warning (apply_pull.go), and Up's second plan builds the
// image when the pull did not bring it. With --build, or pull_policy build
// or never, it is built without a pull.
func (pl *planner) planPulls() error {
	if pl.o.pulled {
		return nil
	}
	var names []string
	for _, name := range pl.selectedNames() {
		s := pl.p.Services[name]
		if s.Image == "" {
			continue
		}
		policy := pl.pullPolicy(s)
		buildFirst := pl.o.Build || name == pl.buildRun || policy == types.PullPolicyBuild || policy == types.PullPolicyNever
		if s.Build == nil || pl.o.NoBuild || !buildFirst {
			names = append(names, name)
		}
	}
	return pl.planPullsFor(names, false)
}

// planPullsFor adds the pulls the named services need. Each reference is
// checked once before anything is planned, so a bad one fails the plan
// naming its service and image.
func (pl *planner) planPullsFor(names []string, keepOwnMissing bool) error {
	wants := map[pullKey]*Action{}
	for _, name := range names {
		s := pl.p.Services[name]
		if registry.IsImageID(s.Image) {
			if !pl.local(s).Present {
				return fmt.Errorf("service %q: no such image: %s (an image ID is never pulled)", name, s.Image)
			}
			continue
		}
		if _, err := registry.ParseRef(s.Image); err != nil {
			return fmt.Errorf("service %q: %w", name, err)
		}
		override := pl.o.Pull
		if keepOwnMissing && (s.PullPolicy == types.PullPolicyMissing || s.PullPolicy == types.PullPolicyIfNotPresent) {
			override = "" // berth pull: a service's own missing beats the default always
		}
		pol, err := registry.ServicePolicy(s, override)
		if err != nil {
			return err
		}
		need, reason := pol.NeedsPull(pl.local(s), pl.now())
		if !need {
			continue
		}
		key := pullKey{s.Image, s.Platform}
		if a, ok := wants[key]; ok {
			a.Pull.Services = append(a.Pull.Services, name)
			continue
		}
		wants[key] = &Action{Op: OpPull, Target: s.Image, Service: name, Reason: reason,
			Pull: &PullTarget{Ref: s.Image, Platform: s.Platform, Services: []string{name}}}
	}
	pl.pulls = map[string]int{}
	for _, key := range slices.SortedFunc(maps.Keys(wants), func(a, b pullKey) int {
		return compare(a.ref+" "+a.platform, b.ref+" "+b.platform)
	}) {
		i := pl.plan.add(*wants[key])
		for _, svc := range wants[key].Pull.Services {
			pl.pulls[svc] = i
		}
	}
	return nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// local is what the engine holds under the service's image, for its pull
// policy: present or not, and when it was last pulled (berth's pull log,
// else the engine's last tag time).
func (pl *planner) local(s types.ServiceConfig) registry.Local {
	ref := project.ImageName(pl.p, s)
	img, ok := pl.st.Images[ref]
	l := registry.Local{Present: ok, Pulled: img.LastTagTime}
	if t := pl.st.Pulled[ref]; t.After(l.Pulled) {
		l.Pulled = t
	}
	return l
}

// now is the plan's clock: UpOptions.Now when set (tests), else the time.
func (pl *planner) now() time.Time {
	if !pl.o.Now.IsZero() {
		return pl.o.Now
	}
	return time.Now()
}
