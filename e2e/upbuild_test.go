package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// app is built and named by berth (<project>-app); other is built under a
// name the file gives (a custom tag); plain runs an image berth did not build.
const upBuild = `
services:
  app:
    build: ./app
    stop_signal: SIGKILL
  other:
    build: ./other
    image: ${OTHER_IMAGE}
    stop_signal: SIGKILL
  plain:
    image: berth-test/busybox:latest
    command: [sleep, "3600"]
    stop_signal: SIGKILL
`

const sleeper = "FROM berth-test/busybox:latest\nCOPY msg /msg\nCMD [\"sleep\", \"3600\"]\n"

func TestUpBuildRecreatesOnlyWhatChangedAndDownRemovesImages(t *testing.T) {
	p := newProject(t, upBuild)
	other := p.name + "-other:custom"
	writeTree(t, p.dir, map[string]string{
		"app/Dockerfile": sleeper, "app/msg": "one\n",
		"other/Dockerfile": sleeper, "other/msg": "other\n",
		".env": "OTHER_IMAGE=" + other + "\n",
	})
	// up builds the missing images by itself.
	p.mustBerth("up", "-d")
	before := p.ids("app", "other", "plain")

	writeTree(t, p.dir, map[string]string{"app/msg": "two\n"})
	_, stderr := p.mustBerth("up", "-d", "--build")
	after := p.ids("app", "other", "plain")
	if before["app"] == after["app"] {
		t.Errorf("app was not recreated after its image changed:\n%s", stderr)
	}
	if before["other"] != after["other"] || before["plain"] != after["plain"] {
		t.Errorf("up --build recreated what did not change: before %v, after %v\n%s", before, after, stderr)
	}
	if !strings.Contains(stderr, "Container "+p.name+"-app-1 Recreated") || !strings.Contains(stderr, "image changed") {
		t.Errorf("up --build does not say app was recreated for its image:\n%s", stderr)
	}

	// --rmi local removes what berth named itself and keeps the custom tag.
	p.mustBerth("down", "--rmi", "local")
	if imageExists(t, p.name+"-app") || !imageExists(t, other) {
		t.Errorf("after down --rmi local: %s-app exists %v (want false), %s exists %v (want true)",
			p.name, imageExists(t, p.name+"-app"), other, imageExists(t, other))
	}
	// --rmi all removes every image the services use, so plain (whose
	// image other tests share) leaves the project first.
	p.write(strings.Replace(upBuild, "  plain:\n", "  plain:\n    profiles: [off]\n", 1))
	p.mustBerth("up", "-d")
	p.mustBerth("down", "--rmi", "all")
	if imageExists(t, p.name+"-app") || imageExists(t, other) {
		t.Errorf("after down --rmi all: images left")
	}
}

// ids maps each service's first container to its ID.
func (p *project) ids(services ...string) map[string]string {
	out := map[string]string{}
	for _, s := range services {
		out[s] = p.id(p.name + "-" + s + "-1")
	}
	return out
}

// imageExists asks the engine whether it holds ref.
func imageExists(t *testing.T, ref string) bool {
	t.Helper()
	return len(docker(t, "image", "ls", "-q", ref)) > 0
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
