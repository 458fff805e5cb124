package reconciler

import (
	"errors"
	"regexp"
)

// A start the engine refuses for a reason only a new container clears:
// Up observes again and replaces the container, the engine's words in the
// plan's reason (applyUp).
var unstartable = []struct {
	words  *regexp.Regexp
	reason string
}{
	// Docker Engine 20.10 refuses to start a container whose containerd
	// task outlived an engine crash: the engine lost track of the task,
	// containerd kept it, and every start fails until the container is
	// removed.
	{regexp.MustCompile(`task [0-9a-f]+: already exists`), "the engine kept a stale task after a crash"},
	// A container created on a network that was removed before it started
	// (a down racing the up that created it) names the network by ID, and
	// no start finds it again.
	{regexp.MustCompile(`network [0-9a-f]{12,64} not found`), "its network is gone"},
	// A container a racing down is removing: once that removal ends, only
	// a new container serves the replica.
	{regexp.MustCompile(`container is marked for removal and cannot be started`), "a down was removing it"},
}

// StaleTaskError is a start refused for one of those reasons.
type StaleTaskError struct {
	Container string
	Reason    string // the plan's reason, with the engine's words
	Err       error
}

func (e *StaleTaskError) Error() string { return e.Err.Error() }
func (e *StaleTaskError) Unwrap() error { return e.Err }

// asStaleTask marks err as such a refusal of container when the engine
// said so.
func asStaleTask(container string, err error) error {
	if err == nil {
		return nil
	}
	for _, u := range unstartable {
		if w := u.words.FindString(err.Error()); w != "" {
			return &StaleTaskError{Container: container, Reason: u.reason + " (" + w + ")", Err: err}
		}
	}
	return err
}

// staleTasks collects every such refusal in err (Apply joins its errors):
// container → the plan's reason.
func staleTasks(err error) map[string]string {
	out := map[string]string{}
	var walk func(error)
	walk = func(err error) {
		var st *StaleTaskError
		switch e := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		default:
			if errors.As(err, &st) {
				out[st.Container] = st.Reason
			}
		}
	}
	walk(err)
	return out
}
