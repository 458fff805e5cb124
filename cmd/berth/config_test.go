package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine"
	"berth/engine/fake"
	"berth/project"
)

// berth runs berth in-process and returns its exit code and streams.
func berth(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(""), &out, &errOut, environ)
	return code, out.String(), errOut.String()
}

// writeProject writes files below a fresh directory and returns it.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const shop = `services:
  web:
    image: nginx:${TAG:-latest}
    depends_on: [db]
    ports: ["8080:80"]
  db:
    image: postgres
    environment:
      PASSWORD: ${PW}
  debug:
    image: busybox
    profiles: [debug]
volumes:
  data: {}
`

func TestConfigYAML(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop, ".env": "PW=secret\n"})
	code, out, errOut := berth(t, []string{"TAG=1.27"}, "--project-directory", dir, "config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `name: shop
services:
  db:
    environment:
      PASSWORD: secret
    image: postgres
    networks:
      default: null
  web:
    depends_on:
      db:
        condition: service_started
        required: true
    image: nginx:1.27
    networks:
      default: null
    ports:
      - mode: ingress
        target: 80
        published: "8080"
        protocol: tcp
networks:
  default:
    name: shop_default
volumes:
  data:
    name: shop_data
`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestConfigLists(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop, ".env": "PW=x\n"})
	file := filepath.Join(dir, "compose.yaml")
	tests := []struct {
		name    string
		environ []string
		args    []string
		want    string
	}{
		{"services in start order", nil, []string{"-f", file, "config", "--services"}, "db\nweb\n"},
		{"profile flag", nil, []string{"-f", file, "--profile", "debug", "config", "--services"}, "db\ndebug\nweb\n"},
		{"COMPOSE_PROFILES", []string{"COMPOSE_PROFILES=debug"}, []string{"-f", file, "config", "--services"}, "db\ndebug\nweb\n"},
		{"--profile beats COMPOSE_PROFILES", []string{"COMPOSE_PROFILES=debug"}, []string{"-f", file, "--profile", "other", "config", "--services"}, "db\nweb\n"},
		{"selected service and dependencies", nil, []string{"-f", file, "config", "--services", "web"}, "db\nweb\n"},
		{"volumes", nil, []string{"-f", file, "config", "--volumes"}, "data\n"},
		{"profiles", nil, []string{"-f", file, "config", "--profiles"}, "debug\n"},
		{"images", nil, []string{"-f", file, "config", "--images"}, "postgres\nnginx:latest\n"},
		{"quiet", nil, []string{"-f", file, "config", "-q"}, ""},
		{"COMPOSE_FILE", []string{"COMPOSE_FILE=" + file}, []string{"config", "--services"}, "db\nweb\n"},
		{"-p", nil, []string{"-f", file, "-p", "other", "config", "--volumes", "--format", "yaml"}, "data\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := berth(t, tt.environ, tt.args...)
			if code != 0 || out != tt.want {
				t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, tt.want)
			}
		})
	}
}

func TestConfigMergeWithSeparator(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"a.yaml": "services:\n  web:\n    image: a\n",
		"b.yaml": "services:\n  web:\n    image: b\n  db:\n    image: pg\n",
	})
	environ := []string{
		"COMPOSE_FILE=" + filepath.Join(dir, "a.yaml") + ";" + filepath.Join(dir, "b.yaml"),
		"COMPOSE_PATH_SEPARATOR=;",
	}
	code, out, errOut := berth(t, environ, "config", "--images")
	if code != 0 || out != "pg\nb\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestConfigJSONAndOutput(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop})
	target := filepath.Join(dir, "out.json")
	environ := []string{"PW=x", "COMPOSE_PROJECT_NAME=fromenv"}
	code, out, errOut := berth(t, environ, "--project-directory", dir, "config", "--format", "json", "-o", target)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Name     string                    `json:"name"`
		Services map[string]map[string]any `json:"services"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	if doc.Name != "fromenv" || doc.Services["web"]["image"] != "nginx:latest" {
		t.Errorf("got %+v", doc)
	}
}

func TestConfigNoInterpolate(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop})
	code, out, errOut := berth(t, nil, "--project-directory", dir, "config", "--no-interpolate")
	if code != 0 || !strings.Contains(out, "image: nginx:${TAG:-latest}") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
}

func TestConfigHash(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop, ".env": "PW=x\n"})
	_, all, _ := berth(t, nil, "--project-directory", dir, "config", "--hash", "*")
	_, one, _ := berth(t, nil, "--project-directory", dir, "config", "--hash", "web")
	lines := strings.Split(strings.TrimSpace(all), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "db ") || lines[1]+"\n" != one {
		t.Errorf("--hash '*':\n%s--hash web:\n%s", all, one)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		environ []string
		args    []string
		want    string
	}{
		{"typo", map[string]string{"compose.yaml": "services:\n  db:\n    imgae: pg\n"}, nil, nil,
			`compose.yaml:3:5: services.db: unknown key "imgae" (did you mean "image"?)`},
		{"unset required variable", map[string]string{"compose.yaml": "services:\n  db:\n    image: ${IMG:?set IMG}\n"}, nil, nil,
			`compose.yaml:3:12: services.db.image: required variable IMG is missing a value: set IMG`},
		{"unknown service", map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n"}, nil, []string{"wbe"},
			`no such service: wbe (did you mean "web"?)`},
		{"invalid COMPOSE_PROJECT_NAME", map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n"}, []string{"COMPOSE_PROJECT_NAME=Bad Name"}, nil,
			`invalid project name "Bad Name": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, tt.files)
			// Run from inside the project so the file is named relative to it.
			t.Chdir(dir)
			args := append([]string{"config"}, tt.args...)
			code, out, errOut := berth(t, tt.environ, args...)
			if code != 1 || out != "" || errOut != tt.want+"\n" {
				t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, tt.want)
			}
		})
	}
}

func TestConfigWarns(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    gpus: all\n"})
	t.Chdir(dir)
	code, _, errOut := berth(t, nil, "config", "-q")
	if want := "WARN compose.yaml:4:5: services.web.gpus: not applied by berth yet, ignored\n"; code != 0 || errOut != want {
		t.Errorf("exit %d, stderr %q; want %q", code, errOut, want)
	}
}

func TestConfigFromStdin(t *testing.T) {
	t.Chdir(writeProject(t, map[string]string{".keep": ""}))
	var out, errOut bytes.Buffer
	stdin := strings.NewReader("services:\n  web:\n    image: from-stdin\n")
	code := run(t.Context(), []string{"-f", "-", "config", "--images"}, stdin, &out, &errOut, nil)
	if code != 0 || out.String() != "from-stdin\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// TestConfigRoundTrips: a literal $ is printed as $$, so that config's
// output loads again to the same output; --no-interpolate prints the file's
// own text.
func TestConfigRoundTrips(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "name: lit\nservices:\n  a:\n    image: busybox\n    environment: {LIT: \"$$HOME\", V: \"${V:-x}\"}\n    command: echo $${X}\n"})
	code, out, errOut := berth(t, nil, "--project-directory", dir, "config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"LIT: $$HOME", "- $${X}", "V: x"} {
		if !strings.Contains(out, want) {
			t.Errorf("config lacks %q:\n%s", want, out)
		}
	}
	again := writeProject(t, map[string]string{"compose.yaml": out})
	if code, out2, errOut := berth(t, nil, "--project-directory", again, "config"); code != 0 || out2 != out {
		t.Errorf("config of config's output (exit %d, %s):\n%s\nwant\n%s", code, errOut, out2, out)
	}
	_, raw, _ := berth(t, nil, "--project-directory", dir, "config", "--no-interpolate")
	if !strings.Contains(raw, "${V:-x}") || strings.Contains(raw, "$$$") {
		t.Errorf("--no-interpolate:\n%s", raw)
	}
	// The raw model, keys sorted as Docker Compose prints it.
	if n, s := strings.Index(raw, "\nnetworks:"), strings.Index(raw, "\nservices:"); n < 0 || s < n {
		t.Errorf("--no-interpolate: want networks before services:\n%s", raw)
	}
}

// TestConfigEnvironment: --environment prints what interpolation saw,
// .env included, one KEY=value a line.
func TestConfigEnvironment(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "name: envp\nservices:\n  a:\n    image: busybox\n", ".env": "FROM_DOTENV=1\n"})
	code, out, errOut := berth(t, []string{"SHELL_VAR=2"}, "--project-directory", dir, "config", "--environment")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"FROM_DOTENV=1\n", "SHELL_VAR=2\n", "COMPOSE_PROJECT_NAME=envp\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("--environment lacks %q:\n%s", want, out)
		}
	}
}

// A port that still holds its variable cannot be decoded: --no-interpolate
// renders the raw model, whole even when a service is named.
func TestConfigNoInterpolateRawModel(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    ports: [\"${PORT:-8080}:80\"]\n    cpus: ${CPUS:-1}\n  db:\n    image: y\n"})
	code, out, errOut := berth(t, nil, "--project-directory", dir, "config", "--no-interpolate", "web")
	for _, want := range []string{"- ${PORT:-8080}:80", "cpus: ${CPUS:-1}", "  db:\n"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("exit %d, stderr %q; want %q in:\n%s", code, errOut, want, out)
		}
	}
	if !strings.Contains(errOut, "service filtering is not applied when --no-interpolate is set") {
		t.Errorf("no warning that web alone was not selected: %q", errOut)
	}
	_, js, _ := berth(t, nil, "--project-directory", dir, "config", "--no-interpolate", "--format", "json")
	if !strings.Contains(js, `"${PORT:-8080}:80"`) {
		t.Errorf("json:\n%s", js)
	}
}

func TestConfigVariables(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:${TAG:-latest}\n    ports: [\"${PORT:?give a port}:80\"]\n    environment:\n      DEBUG: ${DEBUG:+on}\n"})
	_, table, _ := berth(t, nil, "--project-directory", dir, "config", "--variables")
	want := "NAME    REQUIRED   DEFAULT VALUE   ALTERNATE VALUE\n" +
		"DEBUG   false                      on\n" +
		"PORT    true                       \n" +
		"TAG     false      latest          \n"
	if table != want {
		t.Errorf("table:\n%q\nwant\n%q", table, want)
	}
	_, js, _ := berth(t, nil, "--project-directory", dir, "config", "--variables", "--format", "json")
	var vars map[string]struct {
		Name, DefaultValue, PresenceValue string
		Required                          bool
	}
	if err := json.Unmarshal([]byte(js), &vars); err != nil || vars["TAG"].DefaultValue != "latest" || !vars["PORT"].Required || vars["DEBUG"].PresenceValue != "on" {
		t.Errorf("json %v: %+v\n%s", err, vars, js)
	}
	_, y, _ := berth(t, nil, "--project-directory", dir, "config", "--variables", "--format", "yaml")
	if !strings.Contains(y, "TAG:\n    name: TAG\n    defaultvalue: latest\n") {
		t.Errorf("yaml:\n%s", y)
	}
}

// --no-consistency lists what a model that fails its checks declares.
func TestConfigNoConsistency(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  half:\n    volumes: [\"data:/data\"]\n    networks: [back]\n" +
		"volumes:\n  data: {}\nnetworks:\n  back: {}\nmodels:\n  llm:\n    model: ai/smollm2\n"})
	if code, _, errOut := berth(t, nil, "--project-directory", dir, "config", "--services"); code == 0 ||
		!strings.Contains(errOut, `service "half" has neither an image nor a build context specified`) {
		t.Errorf("without --no-consistency: exit %d, %q", code, errOut)
	}
	for flag, want := range map[string]string{"--services": "half\n", "--volumes": "data\n", "--networks": "back\n", "--models": "ai/smollm2\n"} {
		if code, out, errOut := berth(t, nil, "--project-directory", dir, "config", "--no-consistency", flag); code != 0 || out != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q", flag, code, out, errOut, want)
		}
	}
	if _, out, _ := berth(t, nil, "--project-directory", dir, "config", "--no-consistency", "--hash", "*"); !strings.HasPrefix(out, "half ") {
		t.Errorf("--hash: %q", out)
	}
}

func TestConfigPathsAndNormalization(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    build: ./app\n"})
	_, out, _ := berth(t, nil, "--project-directory", dir, "config", "--no-path-resolution", "--no-normalize")
	if !strings.Contains(out, "context: ./app") || strings.Contains(out, "networks:") || strings.Contains(out, "dockerfile:") {
		t.Errorf("relative context kept, no default network or dockerfile added; got:\n%s", out)
	}
	_, out, _ = berth(t, nil, "--project-directory", dir, "config")
	if !strings.Contains(out, "context: "+filepath.Join(dir, "app")) || !strings.Contains(out, "dockerfile: Dockerfile") {
		t.Errorf("resolved and normalized; got:\n%s", out)
	}
}

// A missing env_file fails what reads it only: the lists, the hash of
// another service and --no-env-resolution do not.
func TestConfigMissingEnvFile(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n  b:\n    image: x\n    env_file: [gone.env]\n"})
	ok := [][]string{{"--services"}, {"--hash", "a"}, {"--no-env-resolution", "--hash", "b"}, {"--no-env-resolution"}}
	for _, args := range ok {
		if code, _, errOut := berth(t, nil, append([]string{"--project-directory", dir, "config"}, args...)...); code != 0 {
			t.Errorf("config %v: exit %d, %s", args, code, errOut)
		}
	}
	for _, args := range [][]string{{"--hash", "b"}, {"--hash", "*"}, {}} {
		code, _, errOut := berth(t, nil, append([]string{"--project-directory", dir, "config"}, args...)...)
		if code == 0 || !strings.Contains(errOut, "env file "+filepath.Join(dir, "gone.env")+" not found") {
			t.Errorf("config %v: exit %d, %q", args, code, errOut)
		}
	}
}

// onFakeSplit runs one berth invocation in-process against eng, in dir,
// with stdout and stderr apart.
func onFakeSplit(t *testing.T, eng engine.Engine, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		connect: func(context.Context, []string) (engine.Engine, error) { return eng, nil }}
	code = a.run(t.Context(), append([]string{"--project-directory", dir}, args...))
	return code, out.String(), errOut.String()
}

const digestsProject = `services:
  app:
    image: registry.test:5000/app:1
    environment: {A: "1"}
    volumes:
      - {type: image, source: registry.test:5000/data:1, target: /data}
      - {type: volume, source: v, target: /v}
  pinned:
    image: registry.test:5000/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
  hooked:
    image: registry.test:5000/app:1
    pre_start:
      - {image: registry.test:5000/data:1, command: ["true"]}
volumes:
  v: {}
`

// TestConfigResolveImageDigests: --resolve-image-digests pins each tag to
// the digest the registry holds (services, pre_start hooks, `type: image`
// volumes; a digest already written stays); --lock-image-digests prints
// only what pins them, warning about hooks, as Docker Compose does, also
// from the raw model (--no-interpolate).
func TestConfigResolveImageDigests(t *testing.T) {
	eng := fake.New("busybox")
	eng.SeedRegistry("registry.test:5000/app:1", nil)
	eng.SeedRegistry("registry.test:5000/data:1", nil)
	app := "registry.test:5000/app:1@" + eng.RegistryDigest("registry.test:5000/app:1")
	data := "registry.test:5000/data:1@" + eng.RegistryDigest("registry.test:5000/data:1")
	pinned := "registry.test:5000/app@sha256:" + strings.Repeat("0", 64)
	dir := writeProject(t, map[string]string{"compose.yaml": digestsProject})

	for _, raw := range [][]string{nil, {"--no-interpolate"}} {
		code, out, errOut := onFakeSplit(t, eng, dir, append([]string{"config", "--resolve-image-digests"}, raw...)...)
		if code != 0 {
			t.Fatalf("config --resolve-image-digests %v: exit %d: %s", raw, code, errOut)
		}
		for _, want := range []string{"image: " + app, "image: " + pinned, "source: " + data, "A: \"1\"", "target: /v"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q:\n%s", raw, want, out)
			}
		}
		if strings.Contains(out, "image: registry.test:5000/app:1\n") || strings.Contains(out, "image: registry.test:5000/data:1\n") {
			t.Errorf("%v: an image left unpinned:\n%s", raw, out)
		}
	}

	wantLock := func(volume string) string {
		return `services:
  app:
    image: ` + app + `
    volumes:
      - ` + volume + `
  hooked:
    image: ` + app + `
  pinned:
    image: ` + pinned + `
`
	}
	// The loaded model keeps the key order of compose-go's types, the raw
	// one sorts them.
	locked := map[bool]string{
		false: wantLock("type: image\n        source: " + data + "\n        target: /data"),
		true:  wantLock("source: " + data + "\n        target: /data\n        type: image"),
	}
	wantWarn := `WARN service "hooked": pre_start hook images are not pinned`
	for _, raw := range [][]string{nil, {"--no-interpolate"}} {
		code, out, errOut := onFakeSplit(t, eng, dir, append([]string{"config", "--lock-image-digests"}, raw...)...)
		if want := locked[raw != nil]; code != 0 || out != want || !strings.Contains(errOut, wantWarn) {
			t.Errorf("config --lock-image-digests %v: exit %d\n%s\nwant\n%s\nstderr %q", raw, code, out, want, errOut)
		}
	}

	gone := writeProject(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: registry.test:5000/gone:1\n"})
	code, out, errOut := onFakeSplit(t, eng, gone, "config", "--resolve-image-digests")
	if code == 0 || out != "" || !strings.Contains(errOut, "failed to resolve digest for registry.test:5000/gone:1") {
		t.Errorf("unknown tag: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// The lists are printed as loaded: no registry is asked.
	if code, out, errOut := onFakeSplit(t, eng, gone, "config", "--images", "--resolve-image-digests"); code != 0 || out != "registry.test:5000/gone:1\n" {
		t.Errorf("--images: exit %d, %q %q", code, out, errOut)
	}
}

// --compatibility and COMPOSE_COMPATIBILITY (also from .env) name built
// images project_service, as Docker Compose v1 did.
func TestConfigCompatibilityNames(t *testing.T) {
	t.Cleanup(func() { project.Separator = "-" })
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    build: .\n"})
	if _, out, _ := berth(t, nil, "--project-directory", dir, "config", "--images"); out != "shop-web\n" {
		t.Errorf("default: %q", out)
	}
	if _, out, _ := berth(t, nil, "--project-directory", dir, "--compatibility", "config", "--images"); out != "shop_web\n" {
		t.Errorf("--compatibility: %q", out)
	}
	project.Separator = "-"
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("COMPOSE_COMPATIBILITY=true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := berth(t, nil, "--project-directory", dir, "config", "--images"); out != "shop_web\n" {
		t.Errorf("COMPOSE_COMPATIBILITY in .env: %q", out)
	}
}
