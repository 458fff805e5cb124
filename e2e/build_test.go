package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/internal/testimages"
)

// The helpers below are private to the build tests (prefixed buildTest) so
// they cannot clash with the shared e2e harness.

var (
	buildTestBinOnce sync.Once
	buildTestBinPath string
	buildTestBinErr  error
)

// buildTestBerth returns the berth binary: $BERTH_BIN, else one built once
// per test binary from this checkout.
func buildTestBerth(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("BERTH_BIN"); bin != "" {
		return bin
	}
	buildTestBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "berth-e2e-build-")
		if err != nil {
			buildTestBinErr = err
			return
		}
		_, file, _, _ := runtime.Caller(0)
		buildTestBinPath = filepath.Join(dir, "berth")
		cmd := exec.Command("go", "build", "-o", buildTestBinPath, "./cmd/berth")
		cmd.Dir = filepath.Dir(filepath.Dir(file))
		if out, err := cmd.CombinedOutput(); err != nil {
			buildTestBinErr = &buildTestError{"go build ./cmd/berth", out, err}
		}
	})
	if buildTestBinErr != nil {
		t.Fatal(buildTestBinErr)
	}
	return buildTestBinPath
}

type buildTestError struct {
	what string
	out  []byte
	err  error
}

func (e *buildTestError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

// buildTestEngine skips under -short and when no engine answers, unless
// BERTH_E2E=1 says the engine must be there; then it makes sure the offline
// base images exist.
func buildTestEngine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: needs a Docker engine")
	}
	if out, err := exec.Command("docker", "version", "--format", "{{.Server.APIVersion}}").CombinedOutput(); err != nil {
		if os.Getenv("BERTH_E2E") == "1" {
			t.Fatalf("BERTH_E2E=1 but no Docker engine answers: %v\n%s", err, out)
		}
		t.Skipf("no Docker engine: %v", err)
	}
	testimages.Require(t)
}

// buildTestProject writes files into a fresh project directory and returns
// it with a unique project name. Cleanup removes the images named in
// images (resolved against the project name with %p) and every image ID the
// test recorded.
type buildTestProject struct {
	t      *testing.T
	dir    string
	name   string
	images []string
	// layers are the image IDs the classic builder printed (" ---> id"):
	// the stages a multi-stage build leaves untagged among them.
	layers []string
}

func newBuildTestProject(t *testing.T, files map[string]string) *buildTestProject {
	t.Helper()
	buildTestEngine(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	p := &buildTestProject{t: t, dir: t.TempDir(), name: "berth-test-" + hex.EncodeToString(b)}
	p.write(files)
	t.Cleanup(p.cleanup)
	return p
}

// cleanup removes the test's images, then the untagged layers its builds
// left, newest first. A layer is removed without force and only while
// untagged, so a base image or a layer another image still needs stays.
func (p *buildTestProject) cleanup() {
	for _, img := range p.images {
		_ = exec.Command("docker", "image", "rm", "-f", img).Run()
	}
	for i := len(p.layers) - 1; i >= 0; i-- {
		out, err := exec.Command("docker", "image", "inspect", "--format", "{{len .RepoTags}}", p.layers[i]).Output()
		if err == nil && strings.TrimSpace(string(out)) == "0" {
			_ = exec.Command("docker", "image", "rm", p.layers[i]).Run()
		}
	}
}

var buildTestLayer = regexp.MustCompile(`---> ([0-9a-f]{12})\b`)

// write creates or replaces files of the project; "%p" in a file becomes
// the project name.
func (p *buildTestProject) write(files map[string]string) {
	p.t.Helper()
	for name, body := range files {
		path := filepath.Join(p.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			p.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(body, "%p", p.name)), 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// image names an image the test creates and removes it at cleanup.
func (p *buildTestProject) image(name string) string {
	name = strings.ReplaceAll(name, "%p", p.name)
	p.images = append(p.images, name)
	return name
}

// berth runs the binary in the project directory and returns its combined
// output and error.
func (p *buildTestProject) berth(env []string, args ...string) (string, error) {
	p.t.Helper()
	cmd := exec.Command(buildTestBerth(p.t), append([]string{"-p", p.name, "--progress", "plain"}, args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	for _, m := range buildTestLayer.FindAllStringSubmatch(string(out), -1) {
		p.layers = append(p.layers, m[1])
	}
	return string(out), err
}

// mustBerth is berth that fails the test when berth fails.
func (p *buildTestProject) mustBerth(env []string, args ...string) string {
	p.t.Helper()
	out, err := p.berth(env, args...)
	if err != nil {
		p.t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// imageID is the ID of an image, recorded for cleanup (a rebuild leaves the
// old one dangling).
func (p *buildTestProject) imageID(ref string) string {
	p.t.Helper()
	out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", ref).CombinedOutput()
	if err != nil {
		p.t.Fatalf("inspect %s: %v\n%s", ref, err, out)
	}
	id := strings.TrimSpace(string(out))
	p.images = append(p.images, id)
	return id
}

// run runs a throwaway container of the image and returns its output.
func (p *buildTestProject) run(image string, cmd ...string) string {
	p.t.Helper()
	args := append([]string{"run", "--rm", "--label", "com.docker.compose.project=" + p.name, image}, cmd...)
	var out bytes.Buffer
	c := exec.Command("docker", args...)
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		p.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

const buildTestCompose = `
services:
  app:
    build: .
`

func TestBuildUsesCacheWhenNothingChanged(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		"Dockerfile":   "FROM berth-test/busybox:latest\nWORKDIR /app\nCOPY msg.txt .\nRUN cp msg.txt copy.txt\nCMD [\"cat\", \"/app/copy.txt\"]\n",
		"msg.txt":      "one\n",
	})
	img := p.image("%p-app")
	start := time.Now()
	p.mustBerth(nil, "build")
	cold := time.Since(start)
	first := p.imageID(img)
	start = time.Now()
	out := p.mustBerth(nil, "build")
	warm := time.Since(start)
	t.Logf("first build %v, cached build %v", cold, warm)
	if warm >= cold {
		t.Errorf("the cached build took %v, the first %v: want it faster", warm, cold)
	}
	if second := p.imageID(img); second != first {
		t.Errorf("a rebuild with nothing changed gave a new image: %s, then %s", first, second)
	}
	if strings.Contains(out, "Running in") {
		t.Errorf("a step ran again although nothing changed:\n%s", out)
	}
	// steps 3 (COPY), 4 (RUN) and 5 (CMD) come from the cache
	if n := strings.Count(out, "Using cache"); n < 3 {
		t.Errorf("%d steps used the cache, want at least 3:\n%s", n, out)
	}
}

func TestBuildRebuildsAfterFileChange(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		"Dockerfile":   "FROM berth-test/busybox:latest\nWORKDIR /app\nCOPY . .\nCMD [\"cat\", \"/app/msg.txt\"]\n",
		"msg.txt":      "one\n",
	})
	img := p.image("%p-app")
	p.mustBerth(nil, "build")
	first := p.imageID(img)
	p.write(map[string]string{"msg.txt": "two\n"})
	out := p.mustBerth(nil, "build")
	if second := p.imageID(img); second == first {
		t.Fatalf("the image did not change after msg.txt changed:\n%s", out)
	}
	if got := p.run(img); got != "two\n" {
		t.Errorf("the new image holds %q, want %q", got, "two\n")
	}
}

func TestBuildIgnoredFilesAbsent(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml":  buildTestCompose,
		"Dockerfile":    "FROM berth-test/busybox:latest\nWORKDIR /app\nCOPY . .\n",
		".dockerignore": "secret.txt\nlogs\n!logs/keep.txt\n",
		"app.txt":       "app",
		"secret.txt":    "secret",
		"logs/a.log":    "log",
		"logs/keep.txt": "keep",
	})
	img := p.image("%p-app")
	p.mustBerth(nil, "build", "app")
	p.imageID(img)
	got := strings.Fields(p.run(img, "find", ".", "-type", "f"))
	want := map[string]bool{"./app.txt": true, "./logs/keep.txt": true, "./Dockerfile": true, "./compose.yaml": true}
	for _, f := range got {
		if !want[f] && f != "./.dockerignore" {
			t.Errorf("%s is in the image although .dockerignore excludes it (files: %v)", f, got)
		}
		delete(want, f)
	}
	for f := range want {
		t.Errorf("%s is missing from the image (files: %v)", f, got)
	}
}

func TestBuildArgsReachTheImage(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": `
services:
  app:
    build:
      context: .
      args:
        FROM_FILE: file-${SUFFIX}
        FROM_ENV:
`,
		"Dockerfile": "FROM berth-test/busybox:latest\nARG FROM_FILE\nARG FROM_ENV\nARG FROM_FLAG\n" +
			"RUN echo \"$FROM_FILE $FROM_ENV $FROM_FLAG\" > /args\nCMD [\"cat\", \"/args\"]\n",
	})
	img := p.image("%p-app")
	p.mustBerth([]string{"SUFFIX=interpolated", "FROM_ENV=shell"}, "build", "--build-arg", "FROM_FLAG=flag")
	p.imageID(img)
	if got, want := p.run(img), "file-interpolated shell flag\n"; got != want {
		t.Errorf("the image says %q, want %q", got, want)
	}
}

// The Dockerfile patterns of the course berth grew from: ARG before FROM,
// WORKDIR, COPY, RUN, CMD, a multi-stage build picked with target.
func TestBuildCourseDockerfilePatterns(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": `
services:
  app:
    build:
      context: .
      target: runtime
    image: %p-course:v1
`,
		"Dockerfile": `ARG BASE=berth-test/busybox:latest
FROM ${BASE} AS builder
WORKDIR /src
COPY hello.txt .
RUN tr a-z A-Z < hello.txt > shout.txt

FROM ${BASE} AS runtime
WORKDIR /app
COPY --from=builder /src/shout.txt .
CMD ["cat", "shout.txt"]

FROM runtime AS debug
RUN echo never built > /debug
`,
		"hello.txt": "hello course\n",
	})
	img := p.image("%p-course:v1")
	p.mustBerth(nil, "build")
	p.imageID(img)
	if got := p.run(img); got != "HELLO COURSE\n" {
		t.Errorf("CMD printed %q, want %q", got, "HELLO COURSE\n")
	}
	if got := p.run(img, "sh", "-c", "test -e /debug && echo debug stage built || echo ok"); got != "ok\n" {
		t.Errorf("target runtime built the stage after it: %q", got)
	}
}

func TestBuildBrokenDockerfileNamesServiceAndStep(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": `
services:
  broken:
    build: .
`,
		"Dockerfile": "FROM berth-test/busybox:latest\nRUN echo about to fail && exit 3\nCMD [\"true\"]\n",
	})
	p.image("%p-broken")
	out, err := p.berth(nil, "build")
	if err == nil {
		t.Fatalf("a failing RUN step built:\n%s", out)
	}
	want := regexp.MustCompile(`service "broken": build failed at Step 2/\d+ : RUN echo about to fail && exit 3: .*returned a non-zero code: 3`)
	if !want.MatchString(out) {
		t.Errorf("the error does not name the service, the step and the engine's message:\n%s", out)
	}
}

func TestBuildSharedImageBuildsOnce(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": `
services:
  web:
    build: .
    image: %p-shared
  worker:
    build: .
    image: %p-shared
    command: ["echo", "worker"]
`,
		"Dockerfile": "FROM berth-test/busybox:latest\nCOPY . /app\n",
	})
	p.image("%p-shared")
	out := p.mustBerth(nil, "build")
	if n := strings.Count(out, "Step 1/"); n != 1 {
		t.Errorf("the shared image was built %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "worker  | ") && strings.Contains(out, "web  | ") {
		t.Errorf("both services ran the build:\n%s", out)
	}
}

func TestBuildInlineDockerfile(t *testing.T) {
	p := newBuildTestProject(t, map[string]string{
		"compose.yaml": `
services:
  app:
    build:
      context: .
      dockerfile_inline: |
        FROM berth-test/busybox:latest
        COPY . /app
        CMD ["ls", "-A", "/app"]
`,
		".dockerignore": "*.log\n",
		"a.log":         "log",
		"app.txt":       "app",
	})
	img := p.image("%p-app")
	p.mustBerth(nil, "build")
	p.imageID(img)
	got := strings.Fields(p.run(img))
	if want := []string{".dockerignore", "app.txt", "compose.yaml"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("/app holds %v, want %v (no log, no generated Dockerfile)", got, want)
	}
}
