package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth/engine"
)

// PullImage pulls ref through /images/create, following the engine's
// message stream to its end: the engine reports a failure after the
// response has started as a message, not as a status code.
func (e *Engine) PullImage(ctx context.Context, ref string, opts engine.PullOptions, progress func(engine.TransferProgress)) error {
	po := client.ImagePullOptions{RegistryAuth: encodeAuth(opts.Auth)}
	if opts.Platform != "" {
		p, err := parsePlatform(opts.Platform)
		if err != nil {
			return wrap("image", ref, err)
		}
		po.Platforms = []ocispec.Platform{p}
	}
	res, err := e.cli.ImagePull(ctx, ref, po)
	if err != nil {
		return wrapTransfer(ref, err)
	}
	defer res.Close()
	return wrapTransfer(ref, followTransfer(ctx, res, progress))
}

// PushImage pushes ref through /images/{name}/push.
func (e *Engine) PushImage(ctx context.Context, ref string, opts engine.PushOptions, progress func(engine.TransferProgress)) error {
	auth := encodeAuth(opts.Auth)
	if auth == "" {
		// The engine refuses a push without the header, even for a
		// registry that wants no login.
		auth = encodeAuth(&engine.Auth{})
	}
	res, err := e.cli.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: auth})
	if err != nil {
		return wrapTransfer(ref, err)
	}
	defer res.Close()
	return wrapTransfer(ref, followTransfer(ctx, res, progress))
}

// TagImage gives source the reference target too.
func (e *Engine) TagImage(ctx context.Context, source, target string) error {
	_, err := e.cli.ImageTag(ctx, client.ImageTagOptions{Source: source, Target: target})
	return wrap("image", source, err)
}

// transferStream is what ImagePull and ImagePush return.
type transferStream interface {
	JSONMessages(ctx context.Context) iter.Seq2[jsonstream.Message, error]
}

// followTransfer hands each message to progress and returns the error
// message that ends the stream, if any.
func followTransfer(ctx context.Context, res transferStream, progress func(engine.TransferProgress)) error {
	for m, err := range res.JSONMessages(ctx) {
		if err != nil {
			return err
		}
		if m.Error != nil {
			return &streamError{msg: m.Error.Message}
		}
		if progress != nil {
			progress(transferProgress(m))
		}
	}
	return nil
}

func transferProgress(m jsonstream.Message) engine.TransferProgress {
	p := engine.TransferProgress{Status: m.Status}
	if isLayerID(m.ID) {
		p.Layer = m.ID // image-level lines carry the tag ("Pulling from app", id "1") or none
	}
	if m.Progress != nil {
		p.Current, p.Total = m.Progress.Current, m.Progress.Total
	}
	return p
}

// isLayerID says whether id is a short layer ID (12 hex digits).
func isLayerID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for _, c := range id {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// streamError is a failure the engine reported inside the stream, where no
// status code tells what kind it is: its words do.
type streamError struct{ msg string }

func (e *streamError) Error() string { return e.msg }

// wrapTransfer classifies a pull or push failure: besides not found, a
// registry that wants credentials (401, "unauthorized", "denied", "no basic
// auth credentials") matches engine.ErrUnauthorized.
func wrapTransfer(ref string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var se *streamError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("image %q: %w", ref, err)
	case cerrdefs.IsUnauthorized(err), cerrdefs.IsPermissionDenied(err), deniedWords(msg):
		return fmt.Errorf("image %q: %w", ref, &engineError{sentinel: engine.ErrUnauthorized, err: err})
	case errors.As(err, &se) && notFoundWords(msg):
		return fmt.Errorf("image %q: %w", ref, &engineError{sentinel: engine.ErrNotFound, err: err})
	}
	return wrap("image", ref, err)
}

func deniedWords(msg string) bool {
	for _, w := range []string{"unauthorized", "authentication required", "no basic auth credentials", "access to the resource is denied", "pull access denied"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

func notFoundWords(msg string) bool {
	return strings.Contains(msg, "manifest unknown") || strings.Contains(msg, "not found") || strings.Contains(msg, "does not exist locally")
}

// encodeAuth is the X-Registry-Auth header's value: base64url of the JSON
// auth config, as the engine expects.
func encodeAuth(a *engine.Auth) string {
	if a == nil {
		return ""
	}
	b, _ := json.Marshal(registry.AuthConfig{ // strings only: cannot fail
		Username: a.Username, Password: a.Password,
		IdentityToken: a.IdentityToken, ServerAddress: a.ServerAddress,
	})
	return base64.URLEncoding.EncodeToString(b)
}

// parsePlatform reads "os[/arch[/variant]]".
func parsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) > 3 || parts[0] == "" {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: want os[/arch[/variant]]", s)
	}
	p := ocispec.Platform{OS: parts[0]}
	if len(parts) > 1 {
		p.Architecture = parts[1]
	}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p, nil
}

// ResolveDigest asks the engine's /distribution endpoint, which asks the
// registry for ref's descriptor without pulling anything.
func (e *Engine) ResolveDigest(ctx context.Context, ref string, auth *engine.Auth) (string, error) {
	res, err := e.cli.DistributionInspect(ctx, ref, client.DistributionInspectOptions{EncodedRegistryAuth: encodeAuth(auth)})
	if err != nil {
		return "", wrapTransfer(ref, err)
	}
	return res.Descriptor.Digest.String(), nil
}
