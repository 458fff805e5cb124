package e2e

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A build test's project is made of files, where "%p" becomes the project
// name. The harness's cleanup removes the images berth built (they carry
// the project label); the untagged stages a multi-stage build leaves carry
// none, so the build tests note the layers the builder printed and remove
// those too.
type buildProject struct {
	*project
	// layers are the image IDs the classic builder printed (" ---> id"):
	// the stages a multi-stage build leaves untagged among them.
	layers []string
}

func newBuildProject(t *testing.T, files map[string]string) *buildProject {
	t.Helper()
	p := &buildProject{}
	// Registered before the harness's cleanup, so it runs after it: a
	// layer is free only once the images built on it are gone.
	t.Cleanup(p.removeLayers)
	p.project = newProject(t, "") // compose.yaml is among files
	p.writeFiles(files)
	return p
}

// removeLayers removes the untagged layers the builds left, newest first.
// A layer is removed without force and only while untagged, so a base
// image or a layer another image still needs stays.
func (p *buildProject) removeLayers() {
	for i := len(p.layers) - 1; i >= 0; i-- {
		out, err := exec.Command("docker", "image", "inspect", "--format", "{{len .RepoTags}}", p.layers[i]).Output()
		if err == nil && strings.TrimSpace(string(out)) == "0" {
			_ = exec.Command("docker", "image", "rm", p.layers[i]).Run()
		}
	}
}

// writeFiles creates or replaces files of the project.
func (p *buildProject) writeFiles(files map[string]string) {
	p.t.Helper()
	named := map[string]string{}
	for name, body := range files {
		named[name] = strings.ReplaceAll(body, "%p", p.name)
	}
	writeTree(p.t, p.dir, named)
}

var buildLayer = regexp.MustCompile(`---> ([0-9a-f]{12})\b`)

// tryBuild runs berth build and returns its output (stdout, then stderr),
// noting the layers the builder printed.
func (p *buildProject) tryBuild(args ...string) (string, error) {
	p.t.Helper()
	stdout, stderr, err := p.berth(append([]string{"build"}, args...)...)
	out := stdout + stderr
	for _, m := range buildLayer.FindAllStringSubmatch(out, -1) {
		p.layers = append(p.layers, m[1])
	}
	return out, err
}

// build is tryBuild that fails the test when berth fails.
func (p *buildProject) build(args ...string) string {
	p.t.Helper()
	out, err := p.tryBuild(args...)
	if err != nil {
		p.t.Fatalf("berth build %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// imageID is the ID of an image; the test fails when there is none.
func (p *buildProject) imageID(ref string) string {
	p.t.Helper()
	return docker(p.t, "image", "inspect", "--format", "{{.Id}}", ref)[0]
}

// run runs a throwaway container of the image and returns its output. The
// container carries the project label, so cleanup finds it if --rm did not.
func (p *buildProject) run(image string, cmd ...string) string {
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
	p := newBuildProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		"Dockerfile":   "FROM berth-test/busybox:latest\nWORKDIR /app\nCOPY msg.txt .\nRUN cp msg.txt copy.txt\nCMD [\"cat\", \"/app/copy.txt\"]\n",
		"msg.txt":      "one\n",
	})
	p.env = append(p.env, "DOCKER_BUILDKIT=0") // the classic builder's "Step n/m" and cache lines
	img := p.name + "-app"
	start := time.Now()
	p.build()
	cold := time.Since(start)
	first := p.imageID(img)
	start = time.Now()
	out := p.build()
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
	p := newBuildProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		"Dockerfile":   "FROM berth-test/busybox:latest\nWORKDIR /app\nCOPY . .\nCMD [\"cat\", \"/app/msg.txt\"]\n",
		"msg.txt":      "one\n",
	})
	img := p.name + "-app"
	p.build()
	first := p.imageID(img)
	p.writeFiles(map[string]string{"msg.txt": "two\n"})
	out := p.build()
	if second := p.imageID(img); second == first {
		t.Fatalf("the image did not change after msg.txt changed:\n%s", out)
	}
	if got := p.run(img); got != "two\n" {
		t.Errorf("the new image holds %q, want %q", got, "two\n")
	}
}

func TestBuildIgnoredFilesAbsent(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml":  buildTestCompose,
		"Dockerfile":    "FROM berth-test/busybox:latest\nWORKDIR /app\nCOPY . .\n",
		".dockerignore": "secret.txt\nlogs\n!logs/keep.txt\n",
		"app.txt":       "app",
		"secret.txt":    "secret",
		"logs/a.log":    "log",
		"logs/keep.txt": "keep",
	})
	img := p.name + "-app"
	p.build("app")
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
	p := newBuildProject(t, map[string]string{
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
	img := p.name + "-app"
	p.env = []string{"SUFFIX=interpolated", "FROM_ENV=shell"}
	p.build("--build-arg", "FROM_FLAG=flag")
	p.imageID(img)
	if got, want := p.run(img), "file-interpolated shell flag\n"; got != want {
		t.Errorf("the image says %q, want %q", got, want)
	}
}

// The Dockerfile patterns of the course berth grew from: ARG before FROM,
// WORKDIR, COPY, RUN, CMD, a multi-stage build picked with target.
func TestBuildCourseDockerfilePatterns(t *testing.T) {
	p := newBuildProject(t, map[string]string{
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
	img := p.name + "-course:v1"
	p.build()
	p.imageID(img)
	if got := p.run(img); got != "HELLO COURSE\n" {
		t.Errorf("CMD printed %q, want %q", got, "HELLO COURSE\n")
	}
	if got := p.run(img, "sh", "-c", "test -e /debug && echo debug stage built || echo ok"); got != "ok\n" {
		t.Errorf("target runtime built the stage after it: %q", got)
	}
}

func TestBuildBrokenDockerfileNamesServiceAndStep(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": `
services:
  broken:
    build: .
`,
		"Dockerfile": "FROM berth-test/busybox:latest\nRUN echo about to fail && exit 3\nCMD [\"true\"]\n",
	})
	p.env = append(p.env, "DOCKER_BUILDKIT=0") // the classic builder's "Step n/m" and cache lines
	out, err := p.tryBuild()
	if err == nil {
		t.Fatalf("a failing RUN step built:\n%s", out)
	}
	want := regexp.MustCompile(`service "broken": build failed at Step 2/\d+ : RUN echo about to fail && exit 3: .*returned a non-zero code: 3`)
	if !want.MatchString(out) {
		t.Errorf("the error does not name the service, the step and the engine's message:\n%s", out)
	}
}

func TestBuildSharedImageBuildsOnce(t *testing.T) {
	p := newBuildProject(t, map[string]string{
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
	p.env = append(p.env, "DOCKER_BUILDKIT=0") // the classic builder's "Step n/m" and cache lines
	out := p.build()
	if n := strings.Count(out, "Step 1/"); n != 1 {
		t.Errorf("the shared image was built %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "worker  | ") && strings.Contains(out, "web  | ") {
		t.Errorf("both services ran the build:\n%s", out)
	}
}

func TestBuildInlineDockerfile(t *testing.T) {
	p := newBuildProject(t, map[string]string{
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
	img := p.name + "-app"
	p.build()
	p.imageID(img)
	got := strings.Fields(p.run(img))
	if want := []string{".dockerignore", "app.txt", "compose.yaml"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("/app holds %v, want %v (no log, no generated Dockerfile)", got, want)
	}
}

// TestBuildRunHeredoc: a RUN here-document builds on an engine whose own
// Dockerfile front-end does not read them, with BuildKit and the classic
// builder alike, and a $$ in the file reaches the script as one $.
func TestBuildRunHeredoc(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": `
services:
  app:
    build:
      dockerfile_inline: |
        FROM berth-test/busybox:latest
        RUN <<'EOF'
        echo $$(seq 3) > /out
        EOF
        CMD ["cat", "/out"]
`,
	})
	img := p.name + "-app"
	for _, env := range []string{"DOCKER_BUILDKIT=1", "DOCKER_BUILDKIT=0"} {
		p.env = append(p.env, env)
		out := p.build("--no-cache")
		if !strings.Contains(out, "Service app Built") {
			t.Errorf("%s: no Built line in:\n%s", env, out)
		}
		if got := strings.TrimSpace(p.run(img)); got != "1 2 3" {
			t.Errorf("%s: the script wrote %q, want 1 2 3", env, got)
		}
	}
}
