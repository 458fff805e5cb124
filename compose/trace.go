package compose

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/loader"
)

// trace records what one compose-go load read, as the loader reports it,
// never by reading the files' text: every variable interpolation looked up
// (a wrapper around the lookup function compose-go calls) and whether the
// load went to other compose files (include, extends with a file). compose-go
// reports both to load listeners from the parsed model of the files it was
// given, so flow style, quoted keys, JSON, anchors and interpolated values
// are all seen. Files reached through those are loaded further without
// listeners, but they can only be reached through one that was reported.
type trace struct {
	mu      sync.Mutex
	set     map[string]bool // name looked up -> it was set; never its value
	foreign bool            // another compose file was read
}

func newTrace() *trace { return &trace{set: map[string]bool{}} }

// option installs the recorder; it runs after compose-go set up its own
// lookup, which it wraps.
func (t *trace) option(lo *loader.Options) {
	if lo.Interpolate != nil && lo.Interpolate.LookupValue != nil {
		inner := lo.Interpolate.LookupValue
		lo.Interpolate.LookupValue = func(k string) (string, bool) {
			v, ok := inner(k)
			t.record(k, ok)
			return v, ok
		}
	}
	lo.Listeners = append(lo.Listeners, t.listen)
}

// record notes that name was looked up and whether it was set.
func (t *trace) record(name string, found bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set[name] = t.set[name] || found
}

// listen marks the load foreign on anything but an extends within the same
// file; an event this version of compose-go does not send counts as foreign.
func (t *trace) listen(event string, meta map[string]any) {
	if event == "extends" && meta["file"] == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.foreign = true
}

// names lists the variables looked up, sorted; ok is false when the load
// read another file, a name could not be written on a cache line, or a
// variable was set (to anything, "" included). A set variable may hold a
// secret (a password given to ${DB_PASSWORD}), and nothing derived from
// one may reach a cache file: not the project it was interpolated into,
// and not a digest of it either, since a digest of a short secret falls to
// brute force. So only loads that depend on the environment through unset
// variables (defaults, the optional ones) are remembered, keyed by those
// names so that setting one is a miss; a project that reads its settings
// from the environment or .env always takes the full load.
func (t *trace) names() ([]string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := slices.Sorted(maps.Keys(t.set))
	for _, n := range names {
		if n == "" || strings.ContainsFunc(n, func(r rune) bool { return r <= ' ' || r == 0x7f }) || t.set[n] {
			return nil, false
		}
	}
	return names, !t.foreign
}
