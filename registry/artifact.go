package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	remoteerrors "github.com/containerd/containerd/v2/core/remotes/errors"
	"github.com/containerd/errdefs"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Blob is one part of an artifact to push: its descriptor and content.
type Blob struct {
	Desc v1.Descriptor
	Data []byte
}

// PushArtifact pushes blobs, then manifest under ref's tag, straight to the
// registry (no engine is involved): logins come from creds, and plain HTTP
// is used for loopback registries, or any with insecure. A blob the
// registry holds already is not sent again.
func PushArtifact(ctx context.Context, ref Ref, creds *Credentials, insecure bool, blobs []Blob, manifest Blob) error {
	return pushArtifact(ctx, newResolver(creds, insecureHost(ref, insecure)), ref, ref.String(), blobs, manifest)
}

// insecureHost is the host publish --insecure-registry lets berth reach in
// plain HTTP: the one published to, as Docker Compose limits it.
func insecureHost(ref Ref, insecure bool) string {
	if insecure {
		return ref.Host()
	}
	return ""
}

// newResolver talks to registries with the user's logins, in plain HTTP
// to loopback ones and to insecure.
func newResolver(creds *Credentials, insecure string) remotes.Resolver {
	login := func(host string) (string, string, error) {
		a, err := creds.For(host)
		if err != nil || a == nil {
			return "", "", err
		}
		if a.IdentityToken != "" {
			return "", a.IdentityToken, nil
		}
		return a.Username, a.Password, nil
	}
	plain := func(host string) (bool, error) {
		if insecure != "" && host == insecure {
			return true, nil
		}
		return docker.MatchLocalhost(host)
	}
	return docker.NewResolver(docker.ResolverOptions{Hosts: docker.ConfigureDefaultRegistries(
		docker.WithAuthorizer(docker.NewDockerAuthorizer(docker.WithAuthCreds(login), docker.WithAuthClient(http.DefaultClient))),
		docker.WithPlainHTTP(plain),
	)})
}

// pushArtifact pushes to target (ref with its tag, or its bare repository
// for a push by digest).
func pushArtifact(ctx context.Context, resolver remotes.Resolver, ref Ref, target string, blobs []Blob, manifest Blob) error {
	pusher, err := resolver.Pusher(ctx, target)
	if err != nil {
		return fmt.Errorf("push %s: %w", ref.Familiar(), err)
	}
	for _, b := range blobs {
		if err := pushBlob(ctx, pusher, b); err != nil {
			return fmt.Errorf("push %s: %s %s: %w", ref.Familiar(), b.Desc.MediaType, b.Desc.Digest, err)
		}
	}
	if err := pushBlob(ctx, pusher, manifest); err != nil {
		return fmt.Errorf("push %s: %s %s: %w", ref.Familiar(), manifest.Desc.MediaType, manifest.Desc.Digest, manifestError{err})
	}
	return nil
}

// manifestError marks the manifest's push as the one that failed.
type manifestError struct{ error }

func (e manifestError) Unwrap() error { return e.error }

// pushBlob sends one blob; one the registry has already is done.
func pushBlob(ctx context.Context, p remotes.Pusher, b Blob) error {
	w, err := p.Push(ctx, b.Desc)
	if errdefs.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := w.Write(b.Data); err != nil {
		_ = w.Close()
		return err
	}
	if err := w.Commit(ctx, b.Desc.Size, b.Desc.Digest); err != nil && !errdefs.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// ManifestRefused tells whether PushArtifact's err is the registry's
// refusal of the manifest itself: a 4xx answer to it other than the
// authentication ones (401, 403, 407). A registry that does not know OCI
// 1.1 artifacts refuses their manifest so; Docker Compose then publishes
// the OCI 1.0 form.
func ManifestRefused(err error) bool {
	var status remoteerrors.ErrUnexpectedStatus
	if !errors.As(err, new(manifestError)) || !errors.As(err, &status) || status.StatusCode < 400 || status.StatusCode >= 500 {
		return false
	}
	switch status.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusProxyAuthRequired:
		return false
	}
	return true
}
