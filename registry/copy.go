package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/errdefs"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// CopyImages copies each image, as its registry holds it now (an index
// with every platform's manifest, or one manifest, and all they name),
// into ref's repository, registry to registry, and returns the
// descriptors of the copies in the order given: what publish --app's image
// index lists. A blob the target holds already is not sent again, and one
// of the same registry is mounted rather than sent.
func CopyImages(ctx context.Context, ref Ref, creds *Credentials, insecure bool, images []Ref) ([]v1.Descriptor, error) {
	resolver := newResolver(creds, insecureHost(ref, insecure))
	pusher, err := resolver.Pusher(ctx, ref.named.Name())
	if err != nil {
		return nil, fmt.Errorf("push %s: %w", ref.Name(), err)
	}
	var out []v1.Descriptor
	for _, image := range images {
		desc, err := copyImage(ctx, resolver, pusher, image)
		if err != nil {
			return nil, fmt.Errorf("copy %s to %s: %w", image.Familiar(), ref.Name(), err)
		}
		out = append(out, desc)
	}
	return out, nil
}

// PushIndex pushes index (a manifest that names others) into ref's
// repository by its digest, under no tag.
func PushIndex(ctx context.Context, ref Ref, creds *Credentials, insecure bool, index Blob) error {
	return pushArtifact(ctx, newResolver(creds, insecureHost(ref, insecure)), ref, ref.named.Name(), nil, index)
}

// copyImage resolves image and copies it through pusher. What is pushed
// carries the image's source (containerd's distribution-source
// annotation), so the push mounts its blobs when both repositories are on
// one registry; the descriptor returned does not (Docker Compose's
// does), since it describes the copy.
func copyImage(ctx context.Context, resolver remotes.Resolver, pusher remotes.Pusher, image Ref) (v1.Descriptor, error) {
	name, desc, err := resolver.Resolve(ctx, image.String())
	if err != nil {
		return v1.Descriptor{}, err
	}
	fetcher, err := resolver.Fetcher(ctx, name)
	if err != nil {
		return v1.Descriptor{}, err
	}
	host, err := url.Parse("dummy://" + image.Host()) // containerd keys the source by host name, without port
	if err != nil {
		return v1.Descriptor{}, err
	}
	source := "containerd.io/distribution.source." + host.Hostname()
	c := copier{fetcher: fetcher, pusher: pusher, source: map[string]string{source: image.Path()}}
	return desc, c.copy(ctx, desc)
}

// copier copies a content tree from one repository to another, children
// first, so the target never holds a manifest whose parts it lacks.
type copier struct {
	fetcher remotes.Fetcher
	pusher  remotes.Pusher
	source  map[string]string // the distribution-source annotation
}

// children is what a manifest or an index (OCI's or Docker's) names.
type children struct {
	Manifests []v1.Descriptor `json:"manifests"`
	Config    *v1.Descriptor  `json:"config"`
	Layers    []v1.Descriptor `json:"layers"`
}

func (c copier) copy(ctx context.Context, desc v1.Descriptor) error {
	desc.Annotations = mergeAnnotations(desc.Annotations, c.source)
	if !isManifest(desc.MediaType) {
		return c.stream(ctx, desc)
	}
	data, err := c.fetch(ctx, desc)
	if err != nil {
		return err
	}
	var kids children
	if err := json.Unmarshal(data, &kids); err != nil {
		return fmt.Errorf("%s %s: %w", desc.MediaType, desc.Digest, err)
	}
	all := append(kids.Manifests, kids.Layers...)
	if kids.Config != nil {
		all = append(all, *kids.Config)
	}
	for _, kid := range all {
		if len(kid.URLs) > 0 {
			continue // a foreign layer: registries do not hold it
		}
		if err := c.copy(ctx, kid); err != nil {
			return err
		}
	}
	return pushBlob(ctx, c.pusher, Blob{Desc: desc, Data: data})
}

func (c copier) fetch(ctx context.Context, desc v1.Descriptor) ([]byte, error) {
	rc, err := c.fetcher.Fetch(ctx, desc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, desc.Size))
}

// stream copies a blob without holding it in memory; one the target has
// (or mounts) is not fetched.
func (c copier) stream(ctx context.Context, desc v1.Descriptor) error {
	w, err := c.pusher.Push(ctx, desc)
	if errdefs.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer w.Close()
	rc, err := c.fetcher.Fetch(ctx, desc)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := io.Copy(w, rc); err != nil {
		return err
	}
	if err := w.Commit(ctx, desc.Size, desc.Digest); err != nil && !errdefs.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func isManifest(mediaType string) bool {
	switch mediaType {
	case v1.MediaTypeImageIndex, v1.MediaTypeImageManifest,
		"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json":
		return true
	}
	return false
}

func mergeAnnotations(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
