package engine

import (
	"context"
	"errors"
)

// ErrUnauthorized is a registry that refused the credentials given (or
// wanted some and got none); pull and push errors match it with errors.Is so
// callers can tell the user to log in.
var ErrUnauthorized = errors.New("unauthorized")

// Registry holds the calls that move images between the engine and a
// registry. Auth travels to the engine as the X-Registry-Auth header; it
// never lands in a label, a log or a file.
type Registry interface {
	// PullImage pulls ref (a tag or a digest reference). A reference the
	// registry does not have is ErrNotFound; refused credentials are
	// ErrUnauthorized. Each message of the engine's stream goes to progress
	// (which may be nil).
	PullImage(ctx context.Context, ref string, opts PullOptions, progress func(TransferProgress)) error
	// PushImage pushes the local image ref to the registry its name holds.
	PushImage(ctx context.Context, ref string, opts PushOptions, progress func(TransferProgress)) error
	// TagImage gives the image source the reference target as well.
	TagImage(ctx context.Context, source, target string) error
	// ResolveDigest asks the registry which digest ref (a tag) stands for
	// now: the digest of the descriptor it serves, the multi-platform
	// index for a multi-platform image, so a reference pinned with it
	// still runs on any platform. The engine asks, as for a pull (its
	// mirrors, proxies and insecure registries apply). A reference the
	// registry does not have is ErrNotFound; refused credentials are
	// ErrUnauthorized.
	ResolveDigest(ctx context.Context, ref string, auth *Auth) (string, error)
}

// PullOptions shape one pull.
type PullOptions struct {
	Platform string // "os/arch[/variant]"; "" is the engine's own
	Auth     *Auth  // nil: anonymous
}

// PushOptions shape one push.
type PushOptions struct {
	Auth *Auth // nil: anonymous
}

// Auth is what the engine presents to a registry: a user and password, or
// an identity token (the refresh token of an OAuth login).
type Auth struct {
	Username      string
	Password      string
	IdentityToken string
	ServerAddress string
}

// TransferProgress is one message of a pull or push stream: about the image
// (Layer "") or about one of its layers.
type TransferProgress struct {
	Layer  string // short layer ID; "" for the image as a whole
	Status string // the engine's words: "Pulling fs layer", "Downloading", "Pull complete", "Already exists", "Pushed", "Digest: sha256:…"
	// Current and Total are bytes done and to do for Downloading,
	// Extracting and Pushing; 0 otherwise.
	Current int64
	Total   int64
}
