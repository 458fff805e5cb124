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
	// Fallback is set when the OCI version was left to publish: the OCI
	// 1.0 form (its config blob, then its manifest, naming the same
	// layers), for a registry that refuses Manifest's OCI 1.1 artifact
	// type, as Docker Compose falls back.
	Fallback []Blob
}

// The OCI versions of the artifact manifest (publish --oci-version).
const (
	OCI10 = "1.0" // config of media type EmptyConfigMediaType, no artifactType
	OCI11 = "1.1" // the empty JSON config and artifactType ArtifactType
)

// CheckOCIVersion refuses an --oci-version publish cannot write, before
// anything is pushed. "" lets publish choose (1.1, else 1.0).
func CheckOCIVersion(v string) error {
	switch v {
	case "", OCI10, OCI11:
		return nil
	}
	return fmt.Errorf("unsupported OCI version: %s (use %s or %s)", v, OCI10, OCI11)
}

// ArtifactOptions shape an artifact.
type ArtifactOptions struct {
	OCIVersion string // OCI11, OCI10 or "" (OCI11 with the OCI10 Fallback)
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
	if err := CheckOCIVersion(o.OCIVersion); err != nil {
		return Artifact{}, err
	}
	version := o.OCIVersion
	if version == "" {
		version = OCI11
		config, manifest, err := manifestFor(OCI10, layers, now)
		if err != nil {
			return Artifact{}, err
		}
		a.Fallback = []Blob{config, manifest}
	}
	config, manifest, err := manifestFor(version, layers, now)
	if err != nil {
		return Artifact{}, err
	}
	a.Blobs = append([]Blob{config}, a.Blobs...)
	a.Manifest = manifest
	return a, nil
}

// manifestFor is the config blob and the manifest naming layers in OCI
// version v. OCI 1.0 has no artifactType: the config's media type is what
// tells a compose project apart, as the OCI 1.1 spec advises tools to fall
// back on. Both configs hold "{}".
func manifestFor(v string, layers []v1.Descriptor, now time.Time) (config, manifest Blob, err error) {
	config, artifactType := Blob{Desc: v1.DescriptorEmptyJSON, Data: []byte("{}")}, ArtifactType
	config.Desc.Data = nil // the manifest names the config; it does not embed it
	if v == OCI10 {
		config, artifactType = blob(EmptyConfigMediaType, []byte("{}"), nil), ""
	}
	m, err := json.Marshal(v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
		ArtifactType: artifactType, Config: config.Desc, Layers: layers,
		Annotations: map[string]string{createdAnnotation: now.UTC().Format(time.RFC3339)}})
	if err != nil {
		return Blob{}, Blob{}, err
	}
	manifest = blob(v1.MediaTypeImageManifest, m, map[string]string{versionAnnotation: composeFormatsVersion})
	manifest.Desc.ArtifactType = artifactType
	return config, manifest, nil
}

func blob(mediaType string, data []byte, annotations map[string]string) Blob {
	return Blob{Desc: v1.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data)), Annotations: annotations}, Data: data}
}

// AppIndex is what publish --app adds to the artifact: an image index of
// the services' images (copied into the artifact's repository), whose
// subject is the artifact's manifest, so registries that know referrers
// list it with the artifact. It is pushed by digest, under no tag.
func AppIndex(manifest Blob, images []v1.Descriptor) (Blob, error) {
	subject := manifest.Desc
	subject.Data = nil
	data, err := json.Marshal(v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex,
		Manifests: append([]v1.Descriptor{}, images...), Subject: &subject,
		Annotations: map[string]string{versionAnnotation: composeFormatsVersion}})
	if err != nil {
		return Blob{}, err
	}
	index := blob(v1.MediaTypeImageIndex, data, map[string]string{versionAnnotation: composeFormatsVersion})
	index.Desc.ArtifactType = ArtifactType
	return index, nil
}

// AppImages are the images publish --app copies, one a service in the
// order of their names: every service but the provider ones, which run no
// image. A service's image is what its image: says (BuildOnly refused
// those without one).
func AppImages(p *types.Project) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if s := p.Services[name]; s.Provider == nil {
			out = append(out, s.Image)
		}
	}
	return out
}
