package docker

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"berth/engine"

	cerrdefs "github.com/containerd/errdefs"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error // nil: neither
		want     string
	}{
		{"not found", fmt.Errorf("Error response from daemon: %w", cerrdefs.ErrNotFound.WithMessage("No such container: x")),
			engine.ErrNotFound, `container "x": No such container: x`},
		{"name taken", cerrdefs.ErrConflict.WithMessage(`Conflict. The container name "/x" is already in use by container "abc"`),
			engine.ErrExists, `container "x": Conflict. The container name "/x" is already in use by container "abc"`},
		{"already exists", cerrdefs.ErrAlreadyExists.WithMessage("exists"), engine.ErrExists, `container "x": exists`},
		{"conflict that is not a taken name", cerrdefs.ErrConflict.WithMessage("Container x is not running"),
			nil, `container "x": Container x is not running`},
		{"other engine error keeps its words", cerrdefs.ErrInvalidArgument.WithMessage("invalid mount config"),
			nil, `container "x": invalid mount config`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrap("container", "x", tt.err)
			if err.Error() != tt.want {
				t.Errorf("message %q, want %q", err, tt.want)
			}
			for _, s := range []error{engine.ErrNotFound, engine.ErrExists} {
				if got := errors.Is(err, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("the engine's error is lost")
			}
		})
	}
}

func TestWrapKeepsContextErrors(t *testing.T) {
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		err := wrap("container", "x", fmt.Errorf("request: %w", cause))
		if !errors.Is(err, cause) || errors.Is(err, engine.ErrNotFound) {
			t.Errorf("%v: got %v", cause, err)
		}
	}
	if wrap("container", "x", nil) != nil {
		t.Error("wrap(nil) is not nil")
	}
}

func TestWrapTwiceAddsNoSecondSentinelLayer(t *testing.T) {
	inner := wrap("network", "n", cerrdefs.ErrNotFound.WithMessage("network n not found"))
	err := wrap("container", "c", inner)
	if want := `container "c": network "n": network n not found`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if !errors.Is(err, engine.ErrNotFound) {
		t.Error("sentinel lost")
	}
}
