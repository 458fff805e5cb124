package compose

import (
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/tree"
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
// compose-go embeds.
func allowedKeys(parent []string) []string {
	concrete := make([]string, len(parent))
	for i, p := range parent {
		if _, err := strconv.Atoi(p); err == nil {
			p = tree.PathMatchList
		}
		concrete[i] = p
	}
	var keys []string
	for _, attr := range schema.AttributePaths() {
		parts := attr.Parts()
		if len(parts) != len(concrete)+1 || parts[len(parts)-1] == tree.PathMatchAll {
			continue
		}
		if len(concrete) == 0 || tree.NewPath(concrete...).Matches(attr.Parent()) {
			keys = append(keys, parts[len(parts)-1])
		}
	}
	return keys
}
