package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRunFlagsAndOrphans(t *testing.T) {
	p := newProject(t, `
services:
  app: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
  gone: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
`)
	p.mustBerth("up", "-d")
	p.mustBerth("run", "-d", "gone", "sleep", "1000") // a one-off of a service about to leave the file
	p.write(`
services:
  app: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
`)
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# comment\nFROM_FILE=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr := p.mustBerth("run", "--rm", "-T", "--cap-drop", "CHOWN", "--cap-add", "NET_ADMIN", "--env-from-file", envFile,
		"--quiet-pull", "--quiet-build", "--use-aliases", "-P", "app", "sh", "-c", "echo $FROM_FILE; grep CapEff /proc/self/status")
	if !strings.HasPrefix(out, "yes\n") || !strings.Contains(out, "CapEff") {
		t.Errorf("run output: %q", out)
	}
	if caps := capEff(t, out); caps&(1<<0) != 0 || caps&(1<<12) == 0 { // CAP_CHOWN is bit 0, CAP_NET_ADMIN bit 12
		t.Errorf("capabilities %x: want CHOWN dropped and NET_ADMIN added", caps)
	}
	if !strings.Contains(stderr, "Found orphan containers") || !strings.Contains(stderr, p.name+"-gone-1") {
		t.Errorf("run names the orphans:\n%s", stderr)
	}
	p.mustBerth("exec", "--no-tty", "app", "true")
	p.mustBerth("exec", "--no-TTY", "app", "true")
	p.mustBerth("up", "-d", "--remove-orphans")
	for name := range p.containers() {
		if strings.Contains(name, "-gone-") {
			t.Errorf("up --remove-orphans left %s (one-offs of a removed service go too)", name)
		}
	}
}

// capEff is the CapEff mask of a /proc/self/status line in out.
func capEff(t *testing.T, out string) uint64 {
	t.Helper()
	_, rest, ok := strings.Cut(out, "CapEff:")
	if !ok {
		t.Fatalf("no CapEff in %q", out)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0]), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
