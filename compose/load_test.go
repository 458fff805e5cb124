package compose

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// loadCase loads files written below a fresh directory; the options' paths
// are relative to it.
type loadCase struct {
	name    string
	files   map[string]string
	opts    Options
	wd      string // below the directory; where berth runs
	environ []string
	stdin   string
	check   func(t *testing.T, dir string, p *types.Project)
}

func (c loadCase) run(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, c.files)
	o := c.opts
	o.WorkingDir = filepath.Join(dir, c.wd)
	o.Environ = c.environ
	if c.stdin != "" {
		o.Stdin = strings.NewReader(c.stdin)
	}
	p, _, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	c.check(t, dir, p)
}

func services(p *types.Project) string {
	return strings.Join(slices.Sorted(maps.Keys(p.Services)), ",")
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

const web = "services:\n  web:\n    image: nginx\n"

func TestLoadDiscovery(t *testing.T) {
	for _, c := range []loadCase{
		{name: "compose.yaml in the working directory", files: map[string]string{"app/compose.yaml": web}, wd: "app",
			check: func(t *testing.T, dir string, p *types.Project) {
				wantEqual(t, "files", strings.Join(p.ComposeFiles, ","), filepath.Join(dir, "app/compose.yaml"))
				wantEqual(t, "working dir", p.WorkingDir, filepath.Join(dir, "app"))
			}},
		{name: "found in a parent", files: map[string]string{"app/docker-compose.yml": web, "app/src/deep/x": ""}, wd: "app/src/deep",
			check: func(t *testing.T, dir string, p *types.Project) {
				wantEqual(t, "files", strings.Join(p.ComposeFiles, ","), filepath.Join(dir, "app/docker-compose.yml"))
				wantEqual(t, "working dir", p.WorkingDir, filepath.Join(dir, "app"))
				wantEqual(t, "name", p.Name, "app")
			}},
		{name: "compose.yaml preferred over docker-compose.yml", files: map[string]string{"compose.yaml": web, "docker-compose.yml": "services:\n  old:\n    image: x\n"},
			check: func(t *testing.T, dir string, p *types.Project) { wantEqual(t, "services", services(p), "web") }},
		{name: "override merged", files: map[string]string{"compose.yml": web, "compose.override.yml": "services:\n  web:\n    image: nginx:2\n  db:\n    image: pg\n"},
			check: func(t *testing.T, dir string, p *types.Project) {
				wantEqual(t, "services", services(p), "db,web")
				wantEqual(t, "image", p.Services["web"].Image, "nginx:2")
				wantEqual(t, "files", len(p.ComposeFiles), 2)
			}},
		{name: "-f files merge in order, override not added", opts: Options{Files: []string{"a.yaml", "b.yaml"}},
			files: map[string]string{"a.yaml": web, "b.yaml": "services:\n  web:\n    command: [run]\n", "compose.override.yaml": "services:\n  x:\n    image: x\n"},
			check: func(t *testing.T, dir string, p *types.Project) {
				wantEqual(t, "services", services(p), "web")
				wantEqual(t, "command", strings.Join(p.Services["web"].Command, " "), "run")
				wantEqual(t, "image", p.Services["web"].Image, "nginx")
			}},
		{name: "-f - reads stdin, project directory is where berth runs", opts: Options{Files: []string{"-"}}, stdin: web, wd: "here", files: map[string]string{"here/.keep": ""},
			check: func(t *testing.T, dir string, p *types.Project) {
				wantEqual(t, "services", services(p), "web")
				wantEqual(t, "name", p.Name, "here")
			}},
		{name: "--project-directory", opts: Options{ProjectDirectory: "proj"}, files: map[string]string{"proj/compose.yaml": web},
			check: func(t *testing.T, dir string, p *types.Project) {
				wantEqual(t, "working dir", p.WorkingDir, filepath.Join(dir, "proj"))
			}},
	} {
		t.Run(c.name, c.run)
	}
}

func TestLoadNoFile(t *testing.T) {
	_, _, err := Load(t.Context(), Options{WorkingDir: t.TempDir()})
	if err == nil || err.Error() != "no configuration file provided: not found" {
		t.Fatalf("got %v", err)
	}
}

func TestLoadProjectName(t *testing.T) {
	named := "name: from-file\n" + web
	for _, c := range []loadCase{
		{name: "directory, normalized", files: map[string]string{"My App.v2/compose.yaml": web}, wd: "My App.v2",
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "name", p.Name, "myappv2") }},
		{name: "name: in the file", files: map[string]string{"compose.yaml": named},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "name", p.Name, "from-file") }},
		{name: "COMPOSE_PROJECT_NAME beats name:", files: map[string]string{"compose.yaml": named}, environ: []string{"COMPOSE_PROJECT_NAME=from-env"},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "name", p.Name, "from-env") }},
		{name: "-p beats everything", files: map[string]string{"compose.yaml": named}, environ: []string{"COMPOSE_PROJECT_NAME=from-env"}, opts: Options{ProjectName: "flag"},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "name", p.Name, "flag") }},
		{name: "name: is interpolated", files: map[string]string{"compose.yaml": "name: ${APP}-dev\n" + web}, environ: []string{"APP=shop"},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "name", p.Name, "shop-dev") }},
	} {
		t.Run(c.name, c.run)
	}
}

func TestLoadInterpolationAndEnv(t *testing.T) {
	file := "services:\n  web:\n    image: nginx:${TAG:-latest}\n    environment:\n      A: ${A-unset}\n      B: ${B:?need B}\n      C: $$HOME\n"
	for _, c := range []loadCase{
		{name: ".env in the project directory", files: map[string]string{"compose.yaml": file, ".env": "TAG=1.27\nB=b\n"},
			check: func(t *testing.T, _ string, p *types.Project) {
				s := p.Services["web"]
				wantEqual(t, "image", s.Image, "nginx:1.27")
				wantEqual(t, "A", *s.Environment["A"], "unset")
				wantEqual(t, "B", *s.Environment["B"], "b")
				wantEqual(t, "C", *s.Environment["C"], "$HOME")
			}},
		{name: "the environment beats .env", files: map[string]string{"compose.yaml": file, ".env": "TAG=1.27\nB=b\n"}, environ: []string{"TAG=env", "A="},
			check: func(t *testing.T, _ string, p *types.Project) {
				wantEqual(t, "image", p.Services["web"].Image, "nginx:env")
				wantEqual(t, "A", *p.Services["web"].Environment["A"], "")
			}},
		{name: "--env-file replaces .env", opts: Options{EnvFiles: []string{"prod.env"}}, files: map[string]string{"compose.yaml": file, ".env": "TAG=dev\n", "prod.env": "B=x\n"},
			check: func(t *testing.T, _ string, p *types.Project) {
				wantEqual(t, "image", p.Services["web"].Image, "nginx:latest")
			}},
		{name: "--no-interpolate", opts: Options{NoInterpolate: true}, files: map[string]string{"compose.yaml": file},
			check: func(t *testing.T, _ string, p *types.Project) {
				wantEqual(t, "image", p.Services["web"].Image, "nginx:${TAG:-latest}")
			}},
	} {
		t.Run(c.name, c.run)
	}
}

func TestLoadProfilesExtendsInclude(t *testing.T) {
	profiled := "services:\n  web:\n    image: x\n    depends_on: [db]\n  db:\n    image: x\n  debug:\n    image: x\n    profiles: [debug]\n  tools:\n    image: x\n    profiles: [tools]\n"
	for _, c := range []loadCase{
		{name: "no profile", files: map[string]string{"compose.yaml": profiled},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "services", services(p), "db,web") }},
		{name: "one profile", opts: Options{Profiles: []string{"debug"}}, files: map[string]string{"compose.yaml": profiled},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "services", services(p), "db,debug,web") }},
		{name: "all profiles", opts: Options{Profiles: []string{"*"}}, files: map[string]string{"compose.yaml": profiled},
			check: func(t *testing.T, _ string, p *types.Project) {
				wantEqual(t, "services", services(p), "db,debug,tools,web")
			}},
		{name: "selected services keep their dependencies", opts: Options{Services: []string{"web"}}, files: map[string]string{"compose.yaml": profiled},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "services", services(p), "db,web") }},
		{name: "naming a profiled service enables it", opts: Options{Services: []string{"tools"}}, files: map[string]string{"compose.yaml": profiled},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "services", services(p), "tools") }},
		{name: "extends", files: map[string]string{"compose.yaml": "services:\n  web:\n    extends: {file: base.yaml, service: base}\n    command: [b]\n", "base.yaml": "services:\n  base:\n    image: base\n    command: [a]\n"},
			check: func(t *testing.T, _ string, p *types.Project) {
				wantEqual(t, "image", p.Services["web"].Image, "base")
				wantEqual(t, "command", strings.Join(p.Services["web"].Command, " "), "b")
			}},
		{name: "include", files: map[string]string{"compose.yaml": "include: [sub/compose.yaml]\n" + web, "sub/compose.yaml": "services:\n  db:\n    image: pg\n"},
			check: func(t *testing.T, _ string, p *types.Project) { wantEqual(t, "services", services(p), "db,web") }},
	} {
		t.Run(c.name, c.run)
	}
}

func TestLoadWarnings(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": `x-shared: {a: 1}
services:
  web:
    image: x
    x-note: fine
    develop:
      watch: []
    gpus: all
    platform: linux/arm64
    networks:
      back: {link_local_ips: [169.254.8.8]}
  off:
    image: x
    profiles: [never]
    blkio_config: {weight: 10}
networks:
  back: {}
`})
	_, ws, err := Load(t.Context(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range ws {
		got = append(got, w.String())
	}
	want := []string{
		"compose.yaml:8:5: services.web.gpus: not applied by berth yet, ignored",
		"compose.yaml:11:14: services.web.networks.back.link_local_ips: not applied by berth yet, ignored",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadWarnsAboutSeveralComposeFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": web, "docker-compose.yml": web})
	p, ws, err := Load(t.Context(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "files", strings.Join(p.ComposeFiles, ","), filepath.Join(dir, "compose.yaml"))
	want := "found multiple config files with supported names: " + filepath.Join(dir, "compose.yaml") + ", " +
		filepath.Join(dir, "docker-compose.yml") + "; using " + filepath.Join(dir, "compose.yaml")
	if len(ws) != 1 || ws[0].String() != want {
		t.Errorf("warnings %v, want %q", ws, want)
	}
}

// TestLoadNamedProfileService: naming a service enables its profiles for
// the whole load, so its env_file and label_file are read.
func TestLoadNamedProfileService(t *testing.T) {
	loadCase{
		files: map[string]string{
			"compose.yaml": "services:\n  web:\n    image: nginx\n  admin:\n    image: busybox\n    profiles: [ops]\n" +
				"    env_file: admin.env\n    label_file: admin.labels\n    environment: [FROM_SHELL]\n",
			"admin.env": "TOKEN=t\n", "admin.labels": "team=ops\n",
		},
		opts:    Options{Services: []string{"admin"}},
		environ: []string{"FROM_SHELL=s"},
		check: func(t *testing.T, dir string, p *types.Project) {
			wantEqual(t, "services", services(p), "admin")
			s := p.Services["admin"]
			if s.Environment["TOKEN"] == nil || s.Environment["FROM_SHELL"] == nil {
				t.Fatalf("environment %v: the env_file or the shell variable is missing", s.Environment)
			}
			wantEqual(t, "TOKEN", *s.Environment["TOKEN"], "t")
			wantEqual(t, "FROM_SHELL", *s.Environment["FROM_SHELL"], "s")
			wantEqual(t, "label", s.Labels["team"], "ops")
		},
	}.run(t)
}

// TestLoadReadsBothDotEnvFiles: with COMPOSE_FILE naming a file in another
// directory, the working directory's .env is read first and the project
// directory's second; the first one's values win and interpolate the
// second's, as Docker Compose reads them.
func TestLoadReadsBothDotEnvFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".env":             "IMAGE_NAME=test\n",
		"dev/.env":         "IMAGE_NAME=\"${IMAGE_NAME:-backend}\"\nIMAGE_TAG=\"${IMAGE_TAG:-latest}\"\n",
		"dev/compose.yaml": "services:\n  app:\n    image: $IMAGE_NAME:$IMAGE_TAG\n",
	})
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"COMPOSE_FILE", Options{Files: []string{"dev/compose.yaml"}, FilesFromEnvironment: true}, "test:latest"},
		{"-f", Options{Files: []string{"dev/compose.yaml"}}, "backend:latest"},
		{"--project-directory", Options{ProjectDirectory: "dev"}, "backend:latest"},
	} {
		o := c.o
		o.WorkingDir = dir
		p, _, err := Load(t.Context(), o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		wantEqual(t, c.name, p.Services["app"].Image, c.want)
	}
}
