package publish

import (
	"context"
	"encoding/json"
	"errors"
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

// NewArtifact packs the project's compose files, as written, into an
// artifact of OCI version ociVersion ("1.1", the default, or "1.0"). A
// file that names other local files (env_file, extends of a local file)
// cannot be packed yet: the artifact would name files its users lack.
func NewArtifact(ctx context.Context, p *types.Project, ociVersion string, now time.Time) (Artifact, error) {
	var a Artifact
	var layers []v1.Descriptor
	for _, file := range p.ComposeFiles {
		if err := selfContained(ctx, p, file); err != nil {
			return Artifact{}, err
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return Artifact{}, err
		}
		b := blob(FileMediaType, data, map[string]string{versionAnnotation: composeFormatsVersion, fileAnnotation: filepath.Base(file)})
		a.Blobs = append(a.Blobs, b)
		layers = append(layers, b.Desc)
	}
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

// selfContained refuses a compose file whose services name env files or
// extend local files.
func selfContained(ctx context.Context, p *types.Project, file string) error {
	pr, err := unresolved(ctx, p, file)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(pr.Services)) {
		s := pr.Services[name]
		switch {
		case len(s.EnvFiles) > 0:
			return errors.New(file + ": service \"" + name + "\": publishing env_file is not supported by berth yet")
		case localParent(s) != "":
			return errors.New(file + ": service \"" + name + "\": publishing extends of a local file is not supported by berth yet")
		}
	}
	return nil
}
