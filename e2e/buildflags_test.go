package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBuildMemoryAndRefusedFlags(t *testing.T) {
	p := newProject(t, `
services:
  app:
    build: .
`)
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM berth-test/busybox:latest\nRUN echo built > /built\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("build", "--memory", "256m")
	docker(t, "image", "inspect", p.name+"-app")
	p.wantFailure("has no bake definition to print", "build", "--print")
	p.wantFailure("runs no build checks", "build", "--check")
	p.wantFailure(`invalid --memory "lots"`, "build", "-m", "lots")
}
