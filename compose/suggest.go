package compose

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/schema"
)

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to
// word, or "" when nothing is close enough to be a likely typo.
func didYouMean(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range slices.Sorted(slices.Values(candidates)) {
		d := editDistance(strings.ToLower(word), strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > max(1, min(3, len(word)/3)) {
		return ""
	}
	return " (did you mean " + strconv.Quote(best) + "?)"
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one, so "imgae"
// is one step from "image".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// allowedKeys lists the keys the compose specification allows directly below
// parent (a concrete path such as services.db.ports.0), from the schema
// compose-go embeds: the schema is followed down the path ($ref, oneOf,
// anyOf, allOf, properties, patterned or additional keys, items) and the
// properties of what it reaches are the answer.
func allowedKeys(parent []string) []string {
	nodes := specNodes(specRoot(), nil)
	for _, part := range parent {
		var next []map[string]any
		for _, n := range nodes {
			next = append(next, specChild(n, part)...)
		}
		if nodes = next; len(nodes) == 0 {
			return nil
		}
	}
	var keys []string
	for _, n := range nodes {
		props, _ := n["properties"].(map[string]any)
		for k := range props {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// specRoot is the compose specification's JSON schema as a tree; nil if it
// does not parse (then no key is suggested).
var specRoot = sync.OnceValue(func() map[string]any {
	var root map[string]any
	if json.Unmarshal([]byte(schema.Schema), &root) != nil {
		return nil
	}
	return root
})

// specNodes expands n into the schema nodes that together describe it:
// itself, what its $ref points at, and the alternatives of its combinators.
func specNodes(n map[string]any, seen map[string]bool) []map[string]any {
	if n == nil {
		return nil
	}
	if seen == nil {
		seen = map[string]bool{}
	}
	out := []map[string]any{n}
	if ref, ok := n["$ref"].(string); ok && !seen[ref] {
		seen[ref] = true
		defs, _ := specRoot()["$defs"].(map[string]any)
		def, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		out = append(out, specNodes(def, seen)...)
	}
	for _, combinator := range []string{"oneOf", "anyOf", "allOf"} {
		alternatives, _ := n[combinator].([]any)
		for _, a := range alternatives {
			sub, _ := a.(map[string]any)
			out = append(out, specNodes(sub, seen)...)
		}
	}
	return out
}

// specChild is what the schema node n says about its entry named part: a
// declared property, a key of a patterned or free-form mapping (extension
// keys aside), or an item of a list when part is an index.
func specChild(n map[string]any, part string) []map[string]any {
	if _, err := strconv.Atoi(part); err == nil {
		items, _ := n["items"].(map[string]any)
		return specNodes(items, nil)
	}
	if props, ok := n["properties"].(map[string]any); ok {
		if sub, ok := props[part].(map[string]any); ok {
			return specNodes(sub, nil)
		}
	}
	var out []map[string]any
	patterns, _ := n["patternProperties"].(map[string]any)
	for pattern, sub := range patterns {
		if s, ok := sub.(map[string]any); ok && !strings.Contains(pattern, "x-") {
			out = append(out, specNodes(s, nil)...)
		}
	}
	if extra, ok := n["additionalProperties"].(map[string]any); ok {
		out = append(out, specNodes(extra, nil)...)
	}
	return out
}
