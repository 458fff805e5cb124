package registry

import (
	"fmt"
	"regexp"

	"github.com/distribution/reference"
)

// Ref is a parsed image reference.
type Ref struct {
	named reference.Named
}

// ParseRef reads an image reference as the engine does: "redis" is
// docker.io/library/redis:latest, "host:5000/app@sha256:…" keeps its
// digest.
func ParseRef(s string) (Ref, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return Ref{}, fmt.Errorf("invalid image reference %q: %w", s, err)
	}
	return Ref{named: reference.TagNameOnly(named)}, nil
}

// String is the full reference: docker.io/library/redis:latest.
func (r Ref) String() string { return r.named.String() }

// Familiar is the short form people write: redis:latest.
func (r Ref) Familiar() string { return reference.FamiliarString(r.named) }

// Name is the repository without tag or digest, short form: redis,
// 127.0.0.1:5000/app.
func (r Ref) Name() string { return reference.FamiliarName(r.named) }

// Host is the registry host: docker.io, 127.0.0.1:5000.
func (r Ref) Host() string { return reference.Domain(r.named) }

// Path is the repository path inside its registry: library/redis.
func (r Ref) Path() string { return reference.Path(r.named) }

// Digest is the reference's digest, "" for a tag.
func (r Ref) Digest() string {
	if d, ok := r.named.(reference.Digested); ok {
		return d.Digest().String()
	}
	return ""
}

// Tag is the reference's tag ("latest" when none was written), "" for a
// digest reference without one.
func (r Ref) Tag() string {
	if t, ok := r.named.(reference.Tagged); ok {
		return t.Tag()
	}
	return ""
}

var imageIDPattern = regexp.MustCompile(`^(sha256:)?[a-f0-9]{64}$`)

// IsImageID reports whether s names an image by its ID ("sha256:…" or the
// bare 64 hex digits) rather than a repository: the engine finds it
// locally, no registry has it.
func IsImageID(s string) bool {
	return imageIDPattern.MatchString(s)
}
