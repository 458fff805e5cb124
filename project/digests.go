package project

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
)

// ShortDigest is the digest of one field in LabelConfigFields and
// LabelNetworkFields: 8 hex digits, enough to tell a change, short enough
// for a label.
func ShortDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}

// EncodeDigests renders field digests as the value of a label
// (LabelConfigFields, LabelNetworkFields, the stack's service digests):
// "a=1,b=2", sorted by field.
func EncodeDigests(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

// DecodeDigests reads what EncodeDigests wrote; a part without a field name
// is passed over. A digest has no "=", so the last one ends the name.
func DecodeDigests(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		if i := strings.LastIndexByte(part, '='); i > 0 {
			out[part[:i]] = part[i+1:]
		}
	}
	return out
}
