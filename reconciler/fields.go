package reconciler

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// fieldHashes digests the fields of s that reach the container, as
// "field" or "environment.KEY" → 8 hex digits.
func fieldHashes(s types.ServiceConfig) map[string]string {
	s = project.RuntimeConfig(s)
	out := map[string]string{}
	for k, v := range s.Environment {
		val := "\x00unset"
		if v != nil {
			val = *v
		}
		out["environment."+k] = project.ShortDigest([]byte(val))
	}
	for k, v := range s.Labels {
		out["labels."+k] = project.ShortDigest([]byte(v))
	}
	s.Environment, s.Labels = nil, nil
	b, err := json.Marshal(s)
	if err != nil {
		return out // plain data; an unmarshallable model only loses detail
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(b, &fields) != nil {
		return out
	}
	for k, v := range fields {
		out[k] = project.ShortDigest(v)
	}
	return out
}

// changedFields names the fields whose digests differ, sorted; a field
// present on one side only counts as changed.
func changedFields(old, cur map[string]string) []string {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if old[k] != cur[k] {
			out = append(out, k)
		}
	}
	return out
}
