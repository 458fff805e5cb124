package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPublishChecksThenPushes: publish refuses and asks before anything
// reaches the registry; once accepted, the images the services build are
// pushed (one never built is skipped with a warning), then the compose
// file is in the registry (with a login from the docker CLI's config) as
// a compose artifact, its env file with --with-env.
func TestPublishChecksThenPushes(t *testing.T) {
	r := startRegistry(t, true)
	p := newProject(t, fmt.Sprintf(`
services:
  web:
    image: berth-test/busybox:latest
    environment: [SERVICE_TOKEN=literal-token-value]
    env_file: [web.env]
  app:
    image: %[1]s/berth/app-img:1
    build: .
  ghost:
    image: %[1]s/berth/ghost-img:1
    build: .
`, r.Addr))
	if err := os.WriteFile(filepath.Join(p.dir, "web.env"), []byte("MODE=demo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM berth-test/busybox:latest\nLABEL berth.test=publish\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("build", "app") // ghost's image is never built: it cannot be pushed
	p.env = append(p.env, "DOCKER_CONFIG="+r.dockerCfg)
	repo := r.Addr + "/berth/app:v1"

	declined := p.command("publish", repo)
	declined.Stdin = strings.NewReader("n\n")
	out, err := declined.CombinedOutput()
	if code := exitCode(t, err); code != 130 || !strings.Contains(string(out), `service "web": literal value for "SERVICE_TOKEN"`) {
		t.Fatalf("declined publish: exit %d\n%s", code, out)
	}
	for _, name := range []string{"berth/app", "berth/app-img"} {
		if tags, _ := r.Tags(context.Background(), name); len(tags) != 0 {
			t.Fatalf("a declined publish pushed %s:%v", name, tags)
		}
	}

	_, stderr := p.mustBerth("publish", "--with-env", repo)
	if !strings.Contains(stderr, repo+" published") {
		t.Errorf("no report of the publication:\n%s", stderr)
	}
	if tags, err := r.Tags(context.Background(), "berth/app-img"); err != nil || !slices.Contains(tags, "1") {
		t.Errorf("tags of the built service's image after publish: %v %v", tags, err)
	}
	if !strings.Contains(stderr, `service "ghost"`) || !strings.Contains(stderr, "berth/ghost-img:1") {
		t.Errorf("no warning about the image that could not be pushed:\n%s", stderr)
	}
	if tags, err := r.Tags(context.Background(), "berth/app"); err != nil || len(tags) != 1 || tags[0] != "v1" {
		t.Fatalf("tags after publish: %v %v", tags, err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.Addr+"/v2/berth/app/manifests/v1", nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	req.SetBasicAuth(r.User, r.Password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{`"artifactType":"application/vnd.docker.compose.project"`, `"com.docker.compose.file":"compose.yaml"`,
		`"mediaType":"application/vnd.docker.compose.envfile"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("manifest lacks %s:\n%s", want, body)
		}
	}
}

// TestPublishRefusesBuildOnly: a service with only a build section stops
// publish before any question, naming it.
func TestPublishRefusesBuildOnly(t *testing.T) {
	p := newProject(t, "services:\n  app:\n    build: .\n")
	_, stderr, err := p.berth("publish", "--dry-run", "-y", "example.org/app:1")
	if exitCode(t, err) != 1 || !strings.Contains(stderr, "only contains a build section for service(s):\n- \"app\"") {
		t.Errorf("exit %d\n%s", exitCode(t, err), stderr)
	}
}

// TestPublishResolvesImageDigests: publish --resolve-image-digests adds
// image-digests.yaml, the override that pins each service's image to the
// digest the registry holds, as the artifact's last compose file.
func TestPublishResolvesImageDigests(t *testing.T) {
	r := startRegistry(t, true)
	ref, digest := r.seed("berth-test/busybox:latest", "pin/web:1")
	p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\"}\n", ref))
	p.env = append(p.env, "DOCKER_CONFIG="+r.dockerCfg)
	p.mustBerth("publish", "-y", "--resolve-image-digests", r.Addr+"/berth/pinned:v1")

	get := func(path, accept string) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+r.Addr+"/v2/berth/pinned/"+path, nil)
		req.Header.Set("Accept", accept)
		req.SetBasicAuth(r.User, r.Password)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s\n%s", path, res.Status, body)
		}
		return body
	}
	var m struct {
		Layers []struct {
			Digest      string
			Annotations map[string]string
		}
	}
	if err := json.Unmarshal(get("manifests/v1", "application/vnd.oci.image.manifest.v1+json"), &m); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, l := range m.Layers {
		files = append(files, l.Annotations["com.docker.compose.file"])
	}
	if want := []string{"compose.yaml", "image-digests.yaml"}; !slices.Equal(files, want) {
		t.Fatalf("artifact files %q, want %q", files, want)
	}
	got := string(get("blobs/"+m.Layers[1].Digest, "*/*"))
	if want := "services:\n  web:\n    image: " + ref + "@" + digest + "\n"; got != want {
		t.Errorf("image-digests.yaml:\n%s\nwant\n%s", got, want)
	}
}

// TestPublishOCIVersions: --oci-version 1.1 (and the default, on a
// registry that takes it) publishes the artifact type with the empty
// JSON config, 1.0 no artifact type and Compose's own config media type,
// read back from the registry; an unknown version is refused before
// anything is pushed.
func TestPublishOCIVersions(t *testing.T) {
	r := startRegistry(t, true)
	p := newProject(t, "services:\n  web: {image: berth-test/busybox:latest}\n")
	p.env = append(p.env, "DOCKER_CONFIG="+r.dockerCfg)
	get := func(path, accept string) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+r.Addr+"/v2/berth/oci/"+path, nil)
		req.Header.Set("Accept", accept)
		req.SetBasicAuth(r.User, r.Password)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s\n%s", path, res.Status, body)
		}
		return body
	}
	for _, tc := range []struct{ flag, tag, configType, artifactType string }{
		{"--oci-version=1.0", "v10", "application/vnd.docker.compose.config.empty.v1+json", ""},
		{"--oci-version=1.1", "v11", "application/vnd.oci.empty.v1+json", "application/vnd.docker.compose.project"},
		{"--yes", "auto", "application/vnd.oci.empty.v1+json", "application/vnd.docker.compose.project"},
	} {
		p.mustBerth("publish", "-y", tc.flag, r.Addr+"/berth/oci:"+tc.tag)
		var m struct {
			MediaType    string
			ArtifactType string
			Config       struct{ MediaType, Digest string }
			Layers       []struct{ MediaType string }
		}
		if err := json.Unmarshal(get("manifests/"+tc.tag, "application/vnd.oci.image.manifest.v1+json"), &m); err != nil {
			t.Fatal(err)
		}
		if m.MediaType != "application/vnd.oci.image.manifest.v1+json" || m.Config.MediaType != tc.configType || m.ArtifactType != tc.artifactType ||
			len(m.Layers) != 1 || m.Layers[0].MediaType != "application/vnd.docker.compose.file+yaml" {
			t.Errorf("%s: manifest %+v, want config %s and artifactType %q", tc.flag, m, tc.configType, tc.artifactType)
		}
		if config := get("blobs/"+m.Config.Digest, "*/*"); string(config) != "{}" {
			t.Errorf("%s: config blob %q", tc.flag, config)
		}
	}
	_, stderr, err := p.berth("publish", "-y", "--oci-version=1.2", r.Addr+"/berth/oci:v12")
	if exitCode(t, err) != 1 || !strings.Contains(stderr, "unsupported OCI version: 1.2") {
		t.Errorf("--oci-version=1.2: exit %d\n%s", exitCode(t, err), stderr)
	}
	if tags, _ := r.Tags(context.Background(), "berth/oci"); slices.Contains(tags, "v12") {
		t.Errorf("an unsupported version was pushed: %v", tags)
	}
}

// TestPublishApp: publish --app pins the images (image-digests.yaml),
// copies each service's image into the artifact's repository and pushes,
// by digest, an image index of the copies whose subject is the artifact's
// manifest.
func TestPublishApp(t *testing.T) {
	r := startRegistry(t, true)
	web, webDigest := r.seed("berth-test/busybox:latest", "src/web:1")
	r.variant(r.Addr+"/src/db:2", "app-db")
	r.dockerCLI("", "push", r.Addr+"/src/db:2")
	p := newProject(t, fmt.Sprintf("services:\n  web: {image: %q}\n  db: {image: %q, profiles: [debug]}\n", web, r.Addr+"/src/db:2"))
	p.env = append(p.env, "DOCKER_CONFIG="+r.dockerCfg)
	p.mustBerth("publish", "-y", "--app", r.Addr+"/berth/bundle:v1")

	get := func(path string) (string, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+r.Addr+"/v2/"+path, nil)
		req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, */*")
		req.SetBasicAuth(r.User, r.Password)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s\n%s", path, res.Status, body)
		}
		return res.Header.Get("Docker-Content-Digest"), body
	}
	type desc struct {
		MediaType, Digest, ArtifactType string
		Annotations                     map[string]string
	}
	var manifest struct{ Layers []desc }
	manifestDigest, body := get("berth/bundle/manifests/v1")
	if err := json.Unmarshal(body, &manifest); err != nil {
		t.Fatal(err)
	}
	if n := len(manifest.Layers); n != 2 || manifest.Layers[1].Annotations["com.docker.compose.file"] != "image-digests.yaml" {
		t.Errorf("--app publishes no image-digests.yaml: %s", body)
	}
	digests, err := r.Manifests("berth/bundle")
	if err != nil {
		t.Fatal(err)
	}
	var index struct {
		MediaType string
		Manifests []desc
		Subject   desc
	}
	for _, d := range digests {
		if _, body := get("berth/bundle/manifests/" + d); strings.Contains(string(body), `"subject"`) {
			if err := json.Unmarshal(body, &index); err != nil {
				t.Fatal(err)
			}
		}
	}
	if index.MediaType != "application/vnd.oci.image.index.v1+json" || index.Subject.Digest != manifestDigest ||
		index.Subject.ArtifactType != "application/vnd.docker.compose.project" || len(index.Manifests) != 2 {
		t.Fatalf("no image index of the application among %q: %+v", digests, index)
	}
	dbDigest, _ := get("src/db/manifests/2")
	if index.Manifests[0].Digest != dbDigest || index.Manifests[1].Digest != webDigest { // by service name
		t.Errorf("index lists %+v, want db's image (%s) then web's (%s)", index.Manifests, dbDigest, webDigest)
	}
	for _, m := range index.Manifests { // each copy is in the artifact's repository, with its parts
		var image struct {
			Config desc
			Layers []desc
		}
		if _, body := get("berth/bundle/manifests/" + m.Digest); json.Unmarshal(body, &image) == nil {
			for _, part := range append(image.Layers, image.Config) {
				if part.Digest != "" {
					get("berth/bundle/blobs/" + part.Digest)
				}
			}
		}
	}
}
