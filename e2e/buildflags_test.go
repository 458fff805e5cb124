package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildMemoryPrintAndRefusedFlags(t *testing.T) {
	p := newProject(t, `
services:
  app:
    build:
      context: .
      args: {GREETING: hello}
      secrets: [token]
  plain:
    image: berth-test/busybox:latest
secrets:
  token: {environment: BERTH_TEST_TOKEN}
`)
	p.env = append(p.env, "BERTH_TEST_TOKEN=s3cret-value")
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM berth-test/busybox:latest\nRUN echo built > /built\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("build", "--memory", "256m")
	docker(t, "image", "inspect", p.name+"-app")
	// --print shows the resolved definitions, builds nothing and never
	// prints a secret's value.
	out, _ := p.mustBerth("build", "--print", "--build-arg", "EXTRA=1")
	var doc struct {
		Group  map[string]struct{ Targets []string }
		Target map[string]struct {
			Context string
			Args    map[string]string
			Tags    []string
			Secret  []string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("build --print is not JSON: %v\n%s", err, out)
	}
	app, ok := doc.Target["app"]
	if !ok || len(doc.Target) != 1 || len(doc.Group["default"].Targets) != 1 {
		t.Fatalf("build --print targets: %s", out)
	}
	if app.Args["GREETING"] != "hello" || app.Args["EXTRA"] != "1" || len(app.Tags) == 0 || app.Tags[0] != p.name+"-app" {
		t.Errorf("build --print target app: %+v", app)
	}
	if len(app.Secret) != 1 || app.Secret[0] != "id=token,env=BERTH_TEST_TOKEN" || strings.Contains(out, "s3cret-value") {
		t.Errorf("build --print secrets: %v\n%s", app.Secret, out)
	}
	p.wantFailure("runs no build checks", "build", "--check")
	p.wantFailure(`invalid --memory "lots"`, "build", "-m", "lots")
}
