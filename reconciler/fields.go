package reconciler

import (
	"berth/project"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
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
		out["environment."+k] = digest([]byte(val))
	}
	for k, v := range s.Labels {
		out["labels."+k] = digest([]byte(v))
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
		out[k] = digest(v)
	}
	return out
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}

// encodeFields renders field digests as a label value: "a=1,b=2", sorted.
func encodeFields(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

func decodeFields(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		if i := strings.LastIndexByte(part, '='); i > 0 {
			out[part[:i]] = part[i+1:]
		}
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
