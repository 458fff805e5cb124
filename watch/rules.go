package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/patternmatcher"

	"berth/imagebuild"
)

// Rule is one entry of a service's develop.watch, resolved: its path is
// absolute and its patterns compiled.
type Rule struct {
	Service     string
	Index       int // position in develop.watch, for messages
	Action      types.WatchAction
	Path        string // absolute host path, symlinks resolved
	Target      string // container path (the sync actions)
	Exec        types.ServiceHook
	InitialSync bool

	ignore, include *patternmatcher.PatternMatcher // relative to Path
	// buildIgnored is the build context's .dockerignore (rebuild only).
	buildIgnored func(path string) bool
}

// String names the rule in messages: service "web" develop.watch[0] (sync ./src).
func (r Rule) String() string {
	return fmt.Sprintf("service %q develop.watch[%d] (%s %s)", r.Service, r.Index, r.Action, r.Path)
}

// Syncs says whether the rule copies files into the container.
func (r Rule) Syncs() bool {
	switch r.Action {
	case types.WatchActionSync, types.WatchActionSyncRestart, types.WatchActionSyncExec:
		return true
	}
	return false
}

// ErrNoWatch says none of the selected services has a develop.watch section.
var ErrNoWatch = errors.New("none of the selected services is configured for watch, consider setting a 'develop' section")

// Rules resolves the develop.watch rules of the named services (all when
// none are named), in service then rule order. A rule that cannot work is
// an error naming the service and the rule, before anything runs: a path
// that does not exist, a sync without target, a sync+exec without command,
// a rebuild of a service without build.
func Rules(p *types.Project, services []string) ([]Rule, error) {
	if len(services) == 0 {
		services = slices.Sorted(func(yield func(string) bool) {
			for name := range p.Services {
				if !yield(name) {
					return
				}
			}
		})
	}
	var rules []Rule
	for _, name := range services {
		s, ok := p.Services[name]
		if !ok {
			return nil, fmt.Errorf("no such service: %s", name)
		}
		if s.Develop == nil {
			continue
		}
		for i, t := range s.Develop.Watch {
			r, err := resolveRule(p, s, i, t)
			if err != nil {
				return nil, err
			}
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		return nil, ErrNoWatch
	}
	return rules, nil
}

func resolveRule(p *types.Project, s types.ServiceConfig, i int, t types.Trigger) (Rule, error) {
	r := Rule{Service: s.Name, Index: i, Action: t.Action, Target: t.Target, Exec: t.Exec, InitialSync: t.InitialSync}
	where := fmt.Sprintf("service %q develop.watch[%d]", s.Name, i)
	p0 := t.Path
	if !filepath.IsAbs(p0) {
		p0 = filepath.Join(p.WorkingDir, p0)
	}
	resolved, err := filepath.EvalSymlinks(p0)
	if errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("%s: path %s does not exist: create it or fix the rule's path", where, p0)
	} else if err != nil {
		return r, fmt.Errorf("%s: path %s: %w", where, p0, err)
	}
	r.Path = resolved
	if err := r.check(where, s); err != nil {
		return r, err
	}
	if r.ignore, err = patterns(t.Ignore); err != nil {
		return r, fmt.Errorf("%s: ignore: %w", where, err)
	}
	if r.include, err = patterns(t.Include); err != nil {
		return r, fmt.Errorf("%s: include: %w", where, err)
	}
	if r.Action == types.WatchActionRebuild {
		if r.buildIgnored, err = imagebuild.ContextIgnore(p.WorkingDir, *s.Build); err != nil {
			return r, fmt.Errorf("%s: build: %w", where, err)
		}
	}
	return r, nil
}

// check rejects a rule whose action cannot be carried out.
func (r Rule) check(where string, s types.ServiceConfig) error {
	switch r.Action {
	case types.WatchActionSync, types.WatchActionSyncRestart, types.WatchActionSyncExec:
		if r.Target == "" {
			return fmt.Errorf("%s: action %s needs a target (the path in the container)", where, r.Action)
		}
		if !path.IsAbs(r.Target) {
			return fmt.Errorf("%s: target %q must be an absolute path in the container", where, r.Target)
		}
		if r.Action == types.WatchActionSyncExec && len(r.Exec.Command) == 0 {
			return fmt.Errorf("%s: action sync+exec needs exec.command", where)
		}
	case types.WatchActionRebuild:
		if s.Build == nil {
			return fmt.Errorf("%s: action rebuild needs a build section in service %q", where, s.Name)
		}
	case types.WatchActionRestart:
	default:
		return fmt.Errorf("%s: unknown action %q (sync, rebuild, restart, sync+restart, sync+exec)", where, r.Action)
	}
	return nil
}

func patterns(list []string) (*patternmatcher.PatternMatcher, error) {
	if len(list) == 0 {
		return nil, nil
	}
	return patternmatcher.New(list)
}

// Match says whether the rule takes host path: under its path, not noise,
// not ignored, included when include is set, not left out of the build
// context for a rebuild. rel is the slash path below the rule's path ("."
// for the path itself).
func (r Rule) Match(host string) (rel string, ok bool) {
	rel, err := filepath.Rel(r.Path, host)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if Noise(host) {
		return "", false
	}
	if r.ignore != nil && rel != "." {
		if m, err := r.ignore.MatchesOrParentMatches(rel); err != nil || m {
			return "", false
		}
	}
	if r.include != nil && rel != "." {
		if m, err := r.include.MatchesOrParentMatches(rel); err != nil || !m {
			return "", false
		}
	}
	if r.buildIgnored != nil && r.buildIgnored(host) {
		return "", false
	}
	return rel, true
}

// ContainerPath is where host path rel (as Match returned it) goes in the
// container: always under Target.
func (r Rule) ContainerPath(rel string) string {
	return path.Join(r.Target, rel)
}

// Roots are the paths to watch for rules, without duplicates.
func Roots(rules []Rule) []string {
	var roots []string
	for _, r := range rules {
		if !slices.Contains(roots, r.Path) {
			roots = append(roots, r.Path)
		}
	}
	return roots
}
