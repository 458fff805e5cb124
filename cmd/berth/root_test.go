package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGlobalDefaultsFromEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		environ  []string
		args     []string
		progress string
		ansi     string
		parallel int
	}{
		{"defaults", nil, nil, "", "auto", -1},
		{"variables", []string{"COMPOSE_PROGRESS=plain", "COMPOSE_ANSI=never", "COMPOSE_PARALLEL_LIMIT=4"}, nil, "plain", "never", 4},
		{"flags win", []string{"COMPOSE_PROGRESS=plain", "COMPOSE_ANSI=never", "COMPOSE_PARALLEL_LIMIT=4"},
			[]string{"--progress", "json", "--ansi", "always", "--parallel", "2"}, "json", "always", 2},
		{"a limit that is not a number is unlimited", []string{"COMPOSE_PARALLEL_LIMIT=lots"}, nil, "", "auto", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{environ: tt.environ}
			root := a.rootCommand()
			if err := root.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			g := a.global
			if g.progress != tt.progress || g.ansi != tt.ansi || g.parallel != tt.parallel {
				t.Errorf("progress %q ansi %q parallel %d", g.progress, g.ansi, g.parallel)
			}
		})
	}
}

func TestComposeOptionsFromEnvironment(t *testing.T) {
	a := &app{environ: []string{
		"COMPOSE_FILE=a.yaml:b.yaml",
		"COMPOSE_PROFILES=x, y",
		"COMPOSE_ENV_FILES=one.env,two.env",
	}}
	o := a.composeOptions(nil)
	got := strings.Join(o.Files, " ") + "|" + strings.Join(o.Profiles, " ") + "|" + strings.Join(o.EnvFiles, " ")
	if want := "a.yaml b.yaml|x y|one.env two.env"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	a.global.files, a.global.profiles, a.global.envFiles = []string{"c.yaml"}, []string{"z"}, []string{"three.env"}
	o = a.composeOptions(nil)
	got = strings.Join(o.Files, " ") + "|" + strings.Join(o.Profiles, " ") + "|" + strings.Join(o.EnvFiles, " ")
	if want := "c.yaml|z|three.env"; got != want {
		t.Errorf("flags: got %q, want %q", got, want)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := berth(t, nil, "completion", shell)
		if code != 0 || !strings.Contains(out, "berth") {
			t.Errorf("%s: exit %d, stderr %q, %d bytes", shell, code, errOut, len(out))
		}
	}
	if code, _, _ := berth(t, nil, "completion", "tcsh"); code != 1 {
		t.Errorf("tcsh: exit %d, want 1", code)
	}
}

func TestCompleteServices(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop})
	file := filepath.Join(dir, "compose.yaml")
	// cobra's hidden __complete command is what the shell scripts call.
	code, out, errOut := berth(t, nil, "__complete", "-f", file, "config", "web", "")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "db\ndebug\n:4\n"; !strings.HasPrefix(out, want) {
		t.Errorf("got %q, want prefix %q", out, want)
	}
	// A missing env_file does not hide the names.
	dir = writeProject(t, map[string]string{"compose.yaml": "services:\n  a: {image: x}\n  b: {image: x, env_file: [gone.env]}\n"})
	_, out, _ = berth(t, nil, "__complete", "-f", filepath.Join(dir, "compose.yaml"), "exec", "")
	if want := "a\nb\n:4\n"; !strings.HasPrefix(out, want) {
		t.Errorf("with a missing env_file: got %q, want prefix %q", out, want)
	}
}

// The project flags come before the command, as with Docker Compose, which
// leaves -f and -p free for the commands (logs -f is --follow).
func TestProjectFlagsComeBeforeTheCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("services: {web: {image: busybox}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-f", filepath.Join(dir, "other.yaml"), "-p", "flags", "config", "--services"}, strings.NewReader(""), &stdout, &stderr, nil)
	if code != 0 || stdout.String() != "web\n" {
		t.Fatalf("config --services: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"logs", "--help"}, strings.NewReader(""), &stdout, &stderr, nil); code != 0 || !strings.Contains(stdout.String(), "-f, --follow") {
		t.Fatalf("logs --help: exit %d, want -f, --follow in %q", code, stdout.String())
	}
}

func TestUnknownCommandFails(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"composer"}, strings.NewReader(""), &stdout, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), `unknown command "composer"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestCommandList pins the one list of commands: each name once, and the
// Docker Compose commands berth implements all present.
func TestCommandList(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range (&app{}).commandList() {
		if seen[c.Name()] {
			t.Errorf("command %q listed twice", c.Name())
		}
		seen[c.Name()] = true
	}
	for _, name := range strings.Fields("attach build completion config cp create down events exec images kill logs ls pause port ps restart rm run start stats stop top unpause up version wait") {
		if !seen[name] {
			t.Errorf("command %q missing", name)
		}
	}
}
