package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPsFormatAndOrphans(t *testing.T) {
	p := newProject(t, `
services:
  app: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
  old: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
`)
	p.mustBerth("up", "-d")
	p.write(`
services:
  app: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
`)
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"psFormat":"table {{.Name}}\t{{.Service}}"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p.env = append(p.env, "DOCKER_CONFIG="+cfg)
	out, _ := p.mustBerth("ps")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "SERVICE") || strings.Contains(out, "IMAGE") {
		t.Errorf("ps with psFormat (header, app, the orphan):\n%s", out)
	}
	out, _ = p.mustBerth("ps", "--orphans=false", "--format", "{{.Service}}")
	if strings.TrimSpace(out) != "app" {
		t.Errorf("ps --orphans=false: %q, want app only", out)
	}
}

func TestStatsFormat(t *testing.T) {
	p := newProject(t, `
services:
  app: {image: berth-test/busybox:latest, command: sleep 1000, init: true}
`)
	p.mustBerth("up", "-d")
	out, _ := p.mustBerth("stats", "--no-stream", "--format", "json")
	if !strings.Contains(out, `"Name":"`+p.name+`-app-1"`) || !strings.Contains(out, `"CPUPerc":"`) {
		t.Errorf("stats --format json: %s", out)
	}
	out, _ = p.mustBerth("stats", "--no-stream", "--format", `table {{.Name}}\t{{.MemPerc}}`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "MEM %") || !strings.HasPrefix(lines[1], p.name+"-app-1") {
		t.Errorf("stats --format 'table ...':\n%s", out)
	}
}
