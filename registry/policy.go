package registry

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Policy is a pull policy as compose-go reads it: its kind, and for the
// timed ones (daily, weekly, every_<duration>) how old the last pull may be.
type Policy struct {
	Kind  string // missing, always, never, build, refresh
	Every time.Duration
	Text  string // as written, for reasons: "every_12h"
}

// ServicePolicy is the pull policy of s: override (--pull, --policy) when
// it is set, else the service's pull_policy, else missing.
func ServicePolicy(s types.ServiceConfig, override string) (Policy, error) {
	if override != "" && override != "policy" {
		s.PullPolicy = override
	}
	kind, every, err := s.GetPullPolicy()
	if err == nil && kind == types.PullPolicyMissing && !slices.Contains(missingSpellings, s.PullPolicy) {
		// compose-go reads any other word as missing; the schema refuses
		// such words in files, so one can only come from a flag.
		err = errors.New(`want "always", "missing", "never", "build", "daily", "weekly" or "every_<duration>"`)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("service %q: invalid pull_policy %q: %w", s.Name, s.PullPolicy, err)
	}
	if kind == types.PullPolicyIfNotPresent {
		kind = types.PullPolicyMissing
	}
	text := s.PullPolicy
	if text == "" {
		text = types.PullPolicyMissing
	}
	return Policy{Kind: kind, Every: every, Text: text}, nil
}

// missingSpellings are the ways to write the missing policy.
var missingSpellings = []string{"", types.PullPolicyMissing, types.PullPolicyIfNotPresent}

// Local is what the engine holds under a reference, as a policy needs it.
type Local struct {
	Present bool
	// Pulled is when it was last pulled or tagged; zero when unknown.
	Pulled time.Time
}

// NeedsPull says whether the policy pulls an image given what the engine
// holds, and why, worded for the plan: "missing", "pull_policy: always",
// "pull_policy: daily, last pulled 2026-11-29T10:00:00Z". It never pulls
// for never or build.
func (p Policy) NeedsPull(l Local, now time.Time) (bool, string) {
	switch p.Kind {
	case types.PullPolicyAlways:
		return true, "pull_policy: " + p.Text
	case types.PullPolicyNever, types.PullPolicyBuild:
		return false, ""
	case types.PullPolicyRefresh:
		if !l.Present {
			return true, "missing"
		}
		if l.Pulled.IsZero() {
			return true, "pull_policy: " + p.Text + ", never pulled"
		}
		if now.Sub(l.Pulled) >= p.Every {
			return true, "pull_policy: " + p.Text + ", last pulled " + l.Pulled.UTC().Format(time.RFC3339)
		}
		return false, ""
	}
	return !l.Present, "missing"
}
