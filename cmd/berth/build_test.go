package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/imagebuild"
	"berth/reconciler"
)

func TestParseBuildArgs(t *testing.T) {
	got := parseBuildArgs([]string{"A=1", "B=", "C", "D=x=y"})
	if *got["A"] != "1" || *got["B"] != "" || got["C"] != nil || *got["D"] != "x=y" || len(got) != 4 {
		t.Errorf("parseBuildArgs = %v", got)
	}
}

func TestBuildProgressEvents(t *testing.T) {
	var got []string
	p := buildProgress(reconciler.ProgressFunc(func(e reconciler.ProgressEvent) {
		got = append(got, e.Kind+" "+e.Name+" "+e.Status+" "+e.Line)
	}))
	p(imagebuild.Event{Service: "web", Status: "Building"})
	p(imagebuild.Event{Service: "web", Line: "Step 2/5 : RUN make", Step: "Step 2/5 : RUN make"})
	p(imagebuild.Event{Service: "web", Line: " ---> Running in abc"})
	p(imagebuild.Event{Service: "web", Status: "Built", ID: "sha256:1"})
	want := []string{
		"Service web Building ",
		"Service web  Step 2/5 : RUN make",
		"Service web Building 2/5 : RUN make ",
		"Service web   ---> Running in abc",
		"Service web Built ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// --dry-run checks every build section without an engine.
func TestBuildDryRunChecksContexts(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    build: .\n  remote:\n    build: https://github.com/x/y.git\n",
		"Dockerfile":   "FROM scratch\n",
	})
	f := filepath.Join(dir, "compose.yaml")
	code, _, errOut := berth(t, nil, "-f", f, "--dry-run", "--progress", "plain", "build", "web")
	if code != 0 || !strings.Contains(errOut, "Service web Built") {
		t.Errorf("dry run of web: exit %d\n%s", code, errOut)
	}
	code, _, errOut = berth(t, nil, "-f", f, "--dry-run", "--progress", "plain", "build")
	if code == 0 || !strings.Contains(errOut, `service "remote": build: context "https://github.com/x/y.git" is not a local directory`) {
		t.Errorf("dry run of remote: exit %d\n%s", code, errOut)
	}
}

func TestWithDependencies(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: x\n    depends_on: [api]\n  api:\n    image: x\n    depends_on: [db]\n  db:\n    image: x\n  other:\n    image: x\n",
	})
	a := &app{stderr: io.Discard, global: globalFlags{files: []string{filepath.Join(dir, "compose.yaml")}}}
	p, err := a.load(t.Context(), a.composeOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(withDependencies(p, []string{"web"}), " "); got != "api db web" {
		t.Errorf("withDependencies(web) = %q", got)
	}
}

// TestProxyConfigErrors: a docker CLI config.json that cannot be read
// (its proxies unknown) fails build before anything is built, as it fails
// up and run, naming the file.
func TestProxyConfigErrors(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  app:\n    build: .\n    command: [\"true\"]\n", "Dockerfile": "FROM busybox\n"})
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"proxies": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"build"}, {"up", "-d"}, {"run", "--rm", "app"}} {
		eng := fake.New("busybox")
		var out bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &out, environ: []string{"DOCKER_CONFIG=" + cfg},
			connect: func(context.Context, []string) (engine.Engine, error) { return eng, nil }}
		code := a.run(t.Context(), append([]string{"--project-directory", dir, "--progress", "plain"}, args...))
		if code != 1 || !strings.Contains(out.String(), filepath.Join(cfg, "config.json")) {
			t.Errorf("%v: exit %d, want 1 and an error naming config.json:\n%s", args, code, out.String())
		}
		if strings.Contains(out.String(), "Built") {
			t.Errorf("%v built with the proxies unknown:\n%s", args, out.String())
		}
	}
}
