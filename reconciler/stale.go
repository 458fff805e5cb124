package reconciler

import (
	"errors"
	"regexp"
)

// staleTaskWords is how Docker Engine 20.10 refuses to start a container
// whose containerd task outlived an engine crash: the engine lost track of
// the task, containerd kept it, and every start of that container fails
// until the container is removed.
var staleTaskWords = regexp.MustCompile(`task [0-9a-f]+: already exists`)

// StaleTaskError is a start refused because of such a task.
type StaleTaskError struct {
	Container string
	Err       error
}

func (e *StaleTaskError) Error() string { return e.Err.Error() }
func (e *StaleTaskError) Unwrap() error { return e.Err }

// asStaleTask marks err as a stale task of container when the engine said so.
func asStaleTask(container string, err error) error {
	if err != nil && staleTaskWords.MatchString(err.Error()) {
		return &StaleTaskError{Container: container, Err: err}
	}
	return err
}

// staleTasks collects every stale-task refusal in err (Apply joins its
// errors): container → the engine's words.
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
				out[st.Container] = staleTaskWords.FindString(st.Err.Error())
			}
		}
	}
	walk(err)
	return out
}
