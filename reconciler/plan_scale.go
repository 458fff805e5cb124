package reconciler

import (
	"maps"
	"slices"

	"berth/engine"
)

// replicaNumbers are the replica numbers the service has once the plan is
// applied, sorted. Scaling up keeps every container and fills the lowest
// free numbers; scaling down keeps the containers that match the service
// (then the lowest numbers) and drops the rest, so a scale-down never
// recreates a replica it could have kept, as in Docker Compose.
func (pl *planner) replicaNumbers(d *desired, byNum map[int]engine.Container, want int, imageID string) []int {
	existing := slices.Sorted(maps.Keys(byNum))
	if len(existing) > want {
		current := func(n int) bool { return pl.divergence(d, byNum[n], imageID) == "" }
		slices.SortStableFunc(existing, func(a, b int) int {
			switch ca, cb := current(a), current(b); {
			case ca && !cb:
				return -1
			case cb && !ca:
				return 1
			}
			return a - b
		})
		return slices.Sorted(slices.Values(existing[:want]))
	}
	keep := existing
	for n := 1; len(keep) < want; n++ {
		if _, taken := byNum[n]; !taken {
			keep = append(keep, n)
		}
	}
	return slices.Sorted(slices.Values(keep))
}
