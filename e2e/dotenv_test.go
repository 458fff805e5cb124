package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDotEnvSetsComposeVariables: COMPOSE_FILE and COMPOSE_PROFILES in
// .env choose the files and profiles (the flags and the environment stay
// unset), also when --project-directory points at the .env; naming a
// profiled service on the command line runs it without its profile.
func TestDotEnvSetsComposeVariables(t *testing.T) {
	p := newProject(t, "services: {}\n") // compose.yaml, which .env overrides
	files := map[string]string{
		"stack/app.yaml": `services:
  base:
    image: berth-test/busybox
    command: [sleep, "3600"]
  extra:
    image: berth-test/busybox
    command: [sleep, "3600"]
    profiles: [extra]
  debug:
    image: berth-test/busybox
    command: [sleep, "3600"]
    profiles: [debug]
`,
		".env": "COMPOSE_FILE=stack/app.yaml\nCOMPOSE_PROFILES=extra\n",
	}
	for name, body := range files {
		path := filepath.Join(p.dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The harness sets COMPOSE_FILE empty, which counts as set: unset it.
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := p.command(args...)
		cmd.Dir = dir
		cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool { return kv == "COMPOSE_FILE=" })
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	if got := strings.Fields(run(p.dir, "config", "--services")); strings.Join(got, ",") != "base,extra" {
		t.Errorf("config --services from .env: %v, want base,extra", got)
	}
	// From elsewhere, --project-directory finds the same .env (COMPOSE_FILE
	// is relative to where berth runs, as in Docker Compose).
	elsewhere := t.TempDir()
	if err := os.Symlink(filepath.Join(p.dir, "stack"), filepath.Join(elsewhere, "stack")); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(run(elsewhere, "--project-directory", p.dir, "config", "--services")); strings.Join(got, ",") != "base,extra" {
		t.Errorf("config --services with --project-directory: %v, want base,extra", got)
	}
	run(p.dir, "up", "-d")
	p.wantState("base", "running", "after up")
	p.wantState("extra", "running", "after up")
	if _, ok := p.containers()[p.name+"-debug-1"]; ok {
		t.Error("debug ran without its profile")
	}
	run(p.dir, "up", "-d", "debug")
	p.wantState("debug", "running", "after up debug")
	run(p.dir, "down")
	if got := p.containers(); len(got) != 0 {
		t.Errorf("down left %v", got)
	}
}

// TestRunEnvFromDotEnv: run -e KEY takes KEY's value from .env, where an
// unquoted # starts a comment and a quoted one does not.
func TestRunEnvFromDotEnv(t *testing.T) {
	p := newProject(t, "services:\n  app:\n    image: berth-test/busybox\n")
	if err := os.WriteFile(filepath.Join(p.dir, ".env"), []byte("COMMENT=1234 # a comment\nNO_COMMENT=\"1234#5\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := p.mustBerth("run", "--rm", "-e", "COMMENT", "-e", "NO_COMMENT", "-e", "SET_NOWHERE", "app", "env")
	for _, want := range []string{"COMMENT=1234\n", "NO_COMMENT=1234#5\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("run env lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SET_NOWHERE") {
		t.Errorf("a variable set nowhere reached the container:\n%s", out)
	}
}
