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
	vars    map[string]lookedUp
	foreign bool // another compose file was read
}

type lookedUp struct {
	value string
	found bool
}

func newTrace() *trace { return &trace{vars: map[string]lookedUp{}} }

// option installs the recorder; it runs after compose-go set up its own
// lookup, which it wraps.
func (t *trace) option(lo *loader.Options) {
	if lo.Interpolate != nil && lo.Interpolate.LookupValue != nil {
		inner := lo.Interpolate.LookupValue
		lo.Interpolate.LookupValue = func(k string) (string, bool) {
			v, ok := inner(k)
			t.record(k, v, ok)
			return v, ok
		}
	}
	lo.Listeners = append(lo.Listeners, t.listen)
}

func (t *trace) record(name, value string, found bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.vars[name] = lookedUp{value, found}
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
// read another file or a name could not be written on a cache line.
func (t *trace) names() ([]string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := slices.Sorted(maps.Keys(t.vars))
	for _, n := range names {
		if n == "" || strings.ContainsFunc(n, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return nil, false
		}
	}
	return names, !t.foreign
}

// value is what a recorded variable was during the load.
func (t *trace) value(name string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.vars[name]
	return l.value, l.found
}
