package watch

import "github.com/compose-spec/compose-go/v2/types"

// Action is what one rule does for one batch.
type Action struct {
	Rule  Rule
	Files []File // the sync actions: what to copy or delete, in batch order
}

// File is one changed host path and where it goes in the container.
type File struct {
	Host      string
	Container string
}

// Plan decides what a batch of changed paths does: for each rule the paths
// it takes. It is pure (no file is read): whether a file is to be copied
// or deleted is decided when it is read, so a file deleted during the batch
// is deleted in the container. A service that is rebuilt gets only its
// rebuild: the new container is made from the new image, and a sync or
// restart into the old one would be lost.
func Plan(rules []Rule, batch []string) []Action {
	rebuilt := map[string]bool{}
	var actions []Action
	for _, r := range rules {
		if r.Action != types.WatchActionRebuild || rebuilt[r.Service] {
			continue
		}
		for _, p := range batch {
			if _, ok := r.Match(p); ok {
				rebuilt[r.Service] = true
				actions = append(actions, Action{Rule: r, Files: []File{{Host: p}}})
				break
			}
		}
	}
	for _, r := range rules {
		if r.Action == types.WatchActionRebuild || rebuilt[r.Service] {
			continue
		}
		if a, ok := planRule(r, batch); ok {
			actions = append(actions, a)
		}
	}
	return actions
}

// planRule is the action of one rule that is not a rebuild, if the batch
// touches it.
func planRule(r Rule, batch []string) (Action, bool) {
	a := Action{Rule: r}
	for _, p := range batch {
		rel, ok := r.Match(p)
		if !ok {
			continue
		}
		f := File{Host: p}
		if r.Syncs() {
			f.Container = r.ContainerPath(rel)
		}
		a.Files = append(a.Files, f)
	}
	return a, len(a.Files) > 0
}
