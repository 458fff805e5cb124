package publish

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// load writes files into a directory and loads its compose.yaml.
func load(t *testing.T, files map[string]string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o, err := cli.NewProjectOptions([]string{filepath.Join(dir, "compose.yaml")}, cli.WithName("demo"), cli.WithWorkingDirectory(dir))
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.LoadProject(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildOnlyNamesEveryService(t *testing.T) {
	p := load(t, map[string]string{"compose.yaml": `
services:
  b: {build: .}
  a: {build: .}
  ok: {build: ., image: reg/ok}
`})
	err := BuildOnly(p)
	want := "your Compose stack cannot be published as it only contains a build section for service(s):\n- \"a\"\n- \"b\""
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestLocalIncludes(t *testing.T) {
	for yaml, local := range map[string]bool{
		"include: [other.yaml]\nservices: {}":                      true,
		"include:\n  - path: [other.yaml]\nservices: {}":           true,
		"include:\n  - oci://reg/app:1\nservices: {}":              false,
		"include:\n  - path: git@github.com:a/b.git\nservices: {}": false,
		"services: {}": false,
	} {
		f := filepath.Join(t.TempDir(), "compose.yaml")
		if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		err := LocalIncludes([]string{f})
		if got := err != nil && strings.Contains(err.Error(), "cannot publish compose file with local includes"); got != local {
			t.Errorf("%q: %v, want refused %v", yaml, err, local)
		}
	}
}

func TestBindMountsAndEnvFindings(t *testing.T) {
	p := load(t, map[string]string{
		"compose.yaml": `
services:
  api:
    extends: {file: base.yaml, service: base}
    environment:
      API_TOKEN: "s3cr3t-value"
      PLAIN: hello
      DB_PASSWORD: "${DB_PASSWORD}"
    volumes: [./data:/data, named:/n]
  web:
    image: nginx
    env_file: [web.env]
volumes: {named: {}}
configs:
  inline: {content: "password=hunter22"}
  templated: {content: "${CONFIG}"}
`,
		"base.yaml": "services:\n  base:\n    image: busybox\n    environment: [ADMIN_SECRET=literal-one]\n",
		"web.env":   "A=1\n",
	})
	if got := BindMounts(p); len(got) != 1 || !strings.HasPrefix(got[0], `service "api": /`) || !strings.HasSuffix(got[0], "/data:/data") {
		t.Errorf("bind mounts: %q", got)
	}
	services, configs, err := Env(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if f := services["api"]; f.EnvFile || !slices.Equal(f.Keys, []string{"API_TOKEN"}) {
		t.Errorf("api: %+v (the interpolated DB_PASSWORD is no finding)", f)
	}
	if f := services["base"]; !slices.Equal(f.Keys, []string{"ADMIN_SECRET"}) {
		t.Errorf("the extended file's literal is not found: %+v", services)
	}
	if f := services["web"]; !f.EnvFile || len(f.Keys) != 0 {
		t.Errorf("web: %+v", f)
	}
	if !slices.Equal(configs, []string{"inline"}) {
		t.Errorf("configs with literal content: %q", configs)
	}
}

func TestSensitiveScansFilesAsWritten(t *testing.T) {
	p := load(t, map[string]string{
		"compose.yaml": `
services:
  app:
    image: busybox
    environment: [GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789]
    env_file: [app.env]
`,
		"app.env": "AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n",
	})
	found, err := Sensitive(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, f := range found {
		types = append(types, f.Type+" "+f.Key)
	}
	for _, want := range []string{"Github authentication services.app.environment.GITHUB_TOKEN", "AWS Client ID AWS_ACCESS_KEY_ID"} {
		if !slices.Contains(types, want) {
			t.Errorf("%q not found in %q", want, types)
		}
	}
}

func TestNewArtifact(t *testing.T) {
	p := load(t, map[string]string{"compose.yaml": "services:\n  app: {image: busybox}\n"})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, err := NewArtifact(context.Background(), p, ArtifactOptions{}, now)
	if err != nil {
		t.Fatal(err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(a.Manifest.Data, &m); err != nil {
		t.Fatal(err)
	}
	if m.ArtifactType != ArtifactType || m.Config.MediaType != v1.MediaTypeEmptyJSON || len(m.Layers) != 1 ||
		m.Layers[0].MediaType != FileMediaType || m.Layers[0].Annotations["com.docker.compose.file"] != "compose.yaml" ||
		m.Annotations["org.opencontainers.image.created"] != "2026-01-02T03:04:05Z" {
		t.Errorf("manifest: %s", a.Manifest.Data)
	}
	if len(a.Blobs) != 2 || string(a.Blobs[1].Data) != "services:\n  app: {image: busybox}\n" || a.Blobs[0].Desc.Digest != m.Config.Digest {
		t.Errorf("blobs: %+v", a.Blobs)
	}
	pins := []byte("services:\n  app:\n    image: docker.io/library/busybox:latest@sha256:" + strings.Repeat("0", 64) + "\n")
	pinned, err := NewArtifact(context.Background(), p, ArtifactOptions{ImageDigests: pins}, now)
	if err != nil || len(pinned.Blobs) != 3 || string(pinned.Blobs[2].Data) != string(pins) ||
		pinned.Blobs[2].Desc.MediaType != FileMediaType || pinned.Blobs[2].Desc.Annotations["com.docker.compose.file"] != "image-digests.yaml" {
		t.Errorf("with image digests: %v %+v", err, pinned.Blobs)
	}
}

// TestNewArtifactOCIVersions: the manifest each --oci-version gives, and
// the OCI 1.0 fallback publish keeps when the version is left to it.
func TestNewArtifactOCIVersions(t *testing.T) {
	p := load(t, map[string]string{"compose.yaml": "services:\n  app: {image: busybox}\n"})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	shape := func(b Blob, config Blob) string {
		var m v1.Manifest
		if err := json.Unmarshal(b.Data, &m); err != nil {
			t.Fatal(err)
		}
		if m.Config.Digest != config.Desc.Digest || string(config.Data) != "{}" || m.Config.Data != nil || b.Desc.ArtifactType != m.ArtifactType ||
			len(m.Layers) != 1 || m.Layers[0].MediaType != FileMediaType || m.MediaType != v1.MediaTypeImageManifest {
			t.Errorf("manifest %s, config %+v, descriptor %+v", b.Data, config, b.Desc)
		}
		return m.Config.MediaType + " " + m.ArtifactType
	}
	oci11 := v1.MediaTypeEmptyJSON + " " + ArtifactType
	oci10 := EmptyConfigMediaType + " "
	for version, want := range map[string][]string{"": {oci11, oci10}, "1.1": {oci11}, "1.0": {oci10}} {
		a, err := NewArtifact(context.Background(), p, ArtifactOptions{OCIVersion: version}, now)
		if err != nil {
			t.Fatalf("%q: %v", version, err)
		}
		got := []string{shape(a.Manifest, a.Blobs[0])}
		if a.Fallback != nil {
			got = append(got, shape(a.Fallback[1], a.Fallback[0]))
		}
		if !slices.Equal(got, want) {
			t.Errorf("--oci-version %q: %q, want %q", version, got, want)
		}
	}
	if _, err := NewArtifact(context.Background(), p, ArtifactOptions{OCIVersion: "1.2"}, now); err == nil || !strings.Contains(err.Error(), "unsupported OCI version: 1.2") {
		t.Errorf("1.2: %v", err)
	}
}

// TestNewArtifactLocalFiles: env_file and extends.file entries name
// placeholders, not paths of this machine; the extended files are layers
// of their own (rewritten alike), the env files' contents only WithEnv.
func TestNewArtifactLocalFiles(t *testing.T) {
	p := load(t, map[string]string{
		"compose.yaml": "services:\n  app:\n    extends:\n      file: \"base.yaml\"\n      service: base\n    env_file:\n      - a.env\n      - path: ./b.env\n        required: false\n",
		"base.yaml":    "services:\n  base: {image: busybox, env_file: a.env}\n",
		"a.env":        "A=1\n",
	})
	dir := filepath.Dir(p.ComposeFiles[0])
	hash := func(name, ext string) string { return placeholder(filepath.Join(dir, name), ext) }
	a, err := NewArtifact(context.Background(), p, ArtifactOptions{WithEnv: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range a.Blobs[1:] {
		names = append(names, b.Desc.MediaType+" "+b.Desc.Annotations["com.docker.compose.file"]+b.Desc.Annotations["com.docker.compose.envfile"]+" "+b.Desc.Annotations["com.docker.compose.extends"])
	}
	want := []string{FileMediaType + " compose.yaml ", FileMediaType + " " + hash("base.yaml", ".yaml") + " true", EnvFileMediaType + " " + hash("a.env", ".env") + " "}
	if !slices.Equal(names, want) {
		t.Errorf("layers:\n%q\nwant\n%q", names, want)
	}
	wantMain := "services:\n  app:\n    extends:\n      file: " + hash("base.yaml", ".yaml") + "\n      service: base\n    env_file:\n      - " + hash("a.env", ".env") + "\n      - path: " + hash("b.env", ".env") + "\n        required: false\n"
	if got := string(a.Blobs[1].Data); got != wantMain {
		t.Errorf("compose.yaml as published:\n%s\nwant\n%s", got, wantMain)
	}
	if got, want := string(a.Blobs[2].Data), "services:\n  base: {image: busybox, env_file: "+hash("a.env", ".env")+"}\n"; got != want {
		t.Errorf("base.yaml as published:\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(string(a.Manifest.Data), dir) {
		t.Errorf("the manifest names a local path: %s", a.Manifest.Data)
	}
}

// TestAppIndex: publish --app's index names the copies and has the
// artifact's manifest, without its content, as subject; provider services
// have no image to copy.
func TestAppIndex(t *testing.T) {
	p := load(t, map[string]string{"compose.yaml": `
services:
  web: {image: reg/web:1}
  db: {image: reg/db:2, profiles: [debug]}
  cloud: {provider: {type: example}}
`})
	p, _ = p.WithProfiles([]string{"*"})
	if got := AppImages(p); !slices.Equal(got, []string{"reg/db:2", "reg/web:1"}) {
		t.Errorf("images: %q", got)
	}
	a, err := NewArtifact(context.Background(), p, ArtifactOptions{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	copies := []v1.Descriptor{{MediaType: v1.MediaTypeImageIndex, Digest: digest.Digest("sha256:" + strings.Repeat("1", 64)), Size: 10}}
	index, err := AppIndex(a.Manifest, copies)
	if err != nil {
		t.Fatal(err)
	}
	var got v1.Index
	if err := json.Unmarshal(index.Data, &got); err != nil {
		t.Fatal(err)
	}
	if got.MediaType != v1.MediaTypeImageIndex || got.Subject == nil || got.Subject.Digest != a.Manifest.Desc.Digest ||
		got.Subject.ArtifactType != ArtifactType || got.Subject.Data != nil || len(got.Manifests) != 1 || got.Manifests[0].Digest != copies[0].Digest ||
		index.Desc.MediaType != v1.MediaTypeImageIndex || index.Desc.ArtifactType != ArtifactType || index.Desc.Digest != digest.FromBytes(index.Data) {
		t.Errorf("index %s, descriptor %+v", index.Data, index.Desc)
	}
}
