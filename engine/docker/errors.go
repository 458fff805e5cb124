package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"berth/engine"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// engineError keeps the engine's words and adds the sentinel callers
// branch on, so both errors.Is(err, engine.ErrNotFound) and the
// message "No such container: x" survive.
type engineError struct {
	sentinel error // nil when the error is neither not-found nor conflict
	err      error
}

func (e *engineError) Error() string {
	return strings.TrimPrefix(e.err.Error(), "Error response from daemon: ")
}

func (e *engineError) Unwrap() []error {
	if e.sentinel == nil {
		return []error{e.err}
	}
	return []error{e.sentinel, e.err}
}

// wrap maps an engine error to berth's: the resource kind and quoted name,
// then the engine's message, matching engine.ErrNotFound or
// engine.ErrExists where the engine said so. Context errors pass
// through unchanged in meaning (errors.Is(err, context.Canceled) holds).
func wrap(kind, name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %q: %w", kind, name, classify(err))
}

// classify attaches the sentinel that matches err, if any.
func classify(err error) error {
	var known *engineError
	var hung *HungError
	switch {
	case errors.As(err, &known):
		return err
	case errors.As(err, &hung):
		return &engineError{err: hung} // the call is named; the URL adds nothing
	case wentAway(err):
		return &engineError{err: fmt.Errorf("the engine went away (stopped or restarting?): %w", err)}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case cerrdefs.IsNotFound(err):
		return &engineError{sentinel: engine.ErrNotFound, err: err}
	case cerrdefs.IsAlreadyExists(err), cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already"):
		// Only a name already taken is ErrExists; the engine also answers
		// 409 for "container is not running" or "volume is in use", which
		// callers must not mistake for success.
		return &engineError{sentinel: engine.ErrExists, err: err}
	default:
		return &engineError{err: err}
	}
}

// wentAway says whether err is the engine's connection failing under a
// call: refused or gone (its socket closed), or cut in the middle of an
// answer (it was killed).
func wentAway(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "read" || op.Op == "write") {
		return true
	}
	return client.IsErrConnectionFailed(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// isNotFound says whether err is the engine's not-found, however wrapped.
func isNotFound(err error) bool {
	return errors.Is(err, engine.ErrNotFound)
}
