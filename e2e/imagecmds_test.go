package e2e

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestVolumesCommitExport(t *testing.T) {
	p := newProject(t, `
services:
  web:
    image: berth-test/busybox:latest
    command: sh -c 'echo replica > /marker; sleep 1000'
    init: true
    scale: 2
    volumes: [data:/data]
  other: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
volumes:
  data: {}
`)
	p.mustBerth("up", "-d")
	if out, _ := p.mustBerth("volumes"); !strings.Contains(out, "VOLUME NAME") || !strings.Contains(out, p.name+"_data") {
		t.Errorf("volumes:\n%s", out)
	}
	if out, _ := p.mustBerth("volumes", "-q", "other"); strings.TrimSpace(out) != "" {
		t.Errorf("volumes of a service without any: %q", out)
	}

	ref := p.name + ":2"
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", "-f", ref).Run() })
	out, _ := p.mustBerth("commit", "-a", "A Team <a@team>", "-m", "sample", "-c", "LABEL io.berth.e2e=committed", "--index=2", "web", ref)
	got := docker(t, "image", "inspect", "-f", `{{.Id}} {{.Author}} {{.Comment}} {{index .Config.Labels "io.berth.e2e"}}`, ref)
	if len(got) < 1 || got[0] != strings.TrimSpace(out) || !strings.Contains(strings.Join(got, " "), "sample committed") {
		t.Errorf("commit printed %q; the image says %v", out, got)
	}

	tarPath := filepath.Join(t.TempDir(), "web.tar")
	p.mustBerth("export", "-o", tarPath, "--index", "2", "web")
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("the export has no marker file (%v)", err)
		}
		if h.Name == "marker" {
			break
		}
	}
	p.wantFailure(`service "web" is not running container #3`, "export", "-o", tarPath, "--index", "3", "web")
}
