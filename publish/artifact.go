package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// The media types of a compose artifact, as Docker Compose reads them.
const (
	ArtifactType          = "application/vnd.docker.compose.project"
	FileMediaType         = "application/vnd.docker.compose.file+yaml"
	EmptyConfigMediaType  = "application/vnd.docker.compose.config.empty.v1+json"
	EnvFileMediaType      = "application/vnd.docker.compose.envfile"
	envFileAnnotation     = "com.docker.compose.envfile"
	extendsAnnotation     = "com.docker.compose.extends"
	versionAnnotation     = "com.docker.compose.version"
	fileAnnotation        = "com.docker.compose.file"
	createdAnnotation     = "org.opencontainers.image.created"
	composeFormatsVersion = "5.0.0" // the Compose release whose artifact format this is
)

// Blob is one part of an artifact: its descriptor and content.
type Blob struct {
	Desc v1.Descriptor
	Data []byte
}

// Artifact is what publish pushes: the blobs, then the manifest that
// names them (pushed under the tag).
type Artifact struct {
	Blobs    []Blob
	Manifest Blob
}

// ArtifactOptions shape an artifact.
type ArtifactOptions struct {
	OCIVersion string // "1.1" (the default) or "1.0"
	WithEnv    bool   // carry the env files' contents too
	// ImageDigests is an override file that pins the services' images
	// (publish --resolve-image-digests); when set it is the last compose
	// file, image-digests.yaml, so it wins when the artifact is merged.
	ImageDigests []byte
}

// NewArtifact packs the project's compose files into an artifact: each
// file as written, but for its env_file and local extends.file entries,
// which name placeholders (a hash of the path); the local files it extends
// (and theirs), packed the same way under their placeholders; with
// WithEnv, the env files' contents under theirs; then ImageDigests.
func NewArtifact(ctx context.Context, p *types.Project, o ArtifactOptions, now time.Time) (Artifact, error) {
	var a Artifact
	envFiles, parents := map[string]string{}, map[string]string{}
	add := func(file, name string, extends bool) error {
		data, envs, more, err := rewritten(ctx, p, file)
		if err != nil {
			return err
		}
		maps.Copy(envFiles, envs)
		for f, hash := range more {
			if _, seen := parents[f]; !seen {
				parents[f] = hash
			}
		}
		ann := map[string]string{versionAnnotation: composeFormatsVersion, fileAnnotation: name}
		if extends {
			ann[extendsAnnotation] = "true"
		}
		a.Blobs = append(a.Blobs, blob(FileMediaType, data, ann))
		return nil
	}
	for _, file := range p.ComposeFiles {
		if err := add(file, filepath.Base(file), false); err != nil {
			return Artifact{}, err
		}
	}
	for done := map[string]bool{}; len(done) < len(parents); {
		for _, f := range slices.Sorted(maps.Keys(parents)) {
			if !done[f] {
				done[f] = true
				if err := add(f, parents[f], true); err != nil {
					return Artifact{}, err
				}
			}
		}
	}
	if o.WithEnv {
		for _, f := range slices.Sorted(maps.Keys(envFiles)) {
			data, err := os.ReadFile(f)
			if err != nil {
				return Artifact{}, err
			}
			a.Blobs = append(a.Blobs, blob(EnvFileMediaType, data, map[string]string{versionAnnotation: composeFormatsVersion, envFileAnnotation: envFiles[f]}))
		}
	}
	if o.ImageDigests != nil {
		ann := map[string]string{versionAnnotation: composeFormatsVersion, fileAnnotation: "image-digests.yaml"}
		a.Blobs = append(a.Blobs, blob(FileMediaType, o.ImageDigests, ann))
	}
	layers := make([]v1.Descriptor, len(a.Blobs))
	for i, b := range a.Blobs {
		layers[i] = b.Desc
	}
	return a.withManifest(o.OCIVersion, layers, now)
}

// withManifest adds the config blob and the manifest naming layers.
func (a Artifact) withManifest(ociVersion string, layers []v1.Descriptor, now time.Time) (Artifact, error) {
	config, artifactType := v1.DescriptorEmptyJSON, ArtifactType
	switch ociVersion {
	case "", "1.1":
	case "1.0":
		config, artifactType = blob(EmptyConfigMediaType, []byte("{}"), nil).Desc, ""
	default:
		return Artifact{}, fmt.Errorf("unsupported OCI version %q: use 1.0 or 1.1", ociVersion)
	}
	config.Data = nil
	a.Blobs = append([]Blob{{Desc: config, Data: []byte("{}")}}, a.Blobs...)
	m, err := json.Marshal(v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
		ArtifactType: artifactType, Config: config, Layers: layers,
		Annotations: map[string]string{createdAnnotation: now.UTC().Format(time.RFC3339)}})
	if err != nil {
		return Artifact{}, err
	}
	a.Manifest = blob(v1.MediaTypeImageManifest, m, map[string]string{versionAnnotation: composeFormatsVersion})
	a.Manifest.Desc.ArtifactType = artifactType
	return a, nil
}

func blob(mediaType string, data []byte, annotations map[string]string) Blob {
	return Blob{Desc: v1.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data)), Annotations: annotations}, Data: data}
}
