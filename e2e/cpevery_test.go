package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCpToEveryReplica(t *testing.T) {
	p := newProject(t, `
services:
  web: {image: berth-test/busybox:latest, command: sleep 1000, init: true, scale: 2}
`)
	p.mustBerth("up", "-d")
	src := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(src, []byte("to all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("cp", src, "web:/tmp/note.txt")
	for _, n := range []string{"1", "2"} {
		if got := strings.Join(docker(t, "exec", p.name+"-web-"+n, "cat", "/tmp/note.txt"), " "); got != "to all" {
			t.Errorf("replica %s: %q", n, got)
		}
	}
	if err := os.WriteFile(src, []byte("only two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("cp", "--index", "2", src, "web:/tmp/note.txt")
	if got := strings.Join(docker(t, "exec", p.name+"-web-1", "cat", "/tmp/note.txt"), " "); got != "to all" {
		t.Errorf("--index 2 changed replica 1: %q", got)
	}
}
