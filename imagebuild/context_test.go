package imagebuild

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// entry is what a test sees of one tar entry.
type entry struct {
	typ  byte
	mode int64
	link string
	body string
}

// writeTree makes files under dir: a value "->x" makes a symlink to x, a
// key ending in "/" a directory, anything else a file with that content.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(name, "/")))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(path, 0o755)
		case strings.HasPrefix(body, "->"):
			err = os.Symlink(strings.TrimPrefix(body, "->"), path)
		default:
			err = os.WriteFile(path, []byte(body), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// readTar reads a whole context tar, keyed by entry name.
func readTar(t *testing.T, r io.Reader) (map[string]entry, []string) {
	t.Helper()
	out := map[string]entry{}
	var order []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, order
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || !h.ModTime.Equal(epoch) {
			t.Errorf("%s: owner/time not zeroed: %d:%d %q %v", h.Name, h.Uid, h.Gid, h.Uname, h.ModTime)
		}
		body, _ := io.ReadAll(tr)
		out[h.Name] = entry{typ: h.Typeflag, mode: h.Mode, link: h.Linkname, body: string(body)}
		order = append(order, h.Name)
	}
}

func contextOf(t *testing.T, dir string, b types.BuildConfig) (map[string]entry, []string, Request) {
	t.Helper()
	b.Context = dir
	req, err := NewRequest(&types.Project{Name: "p", WorkingDir: dir}, service("web", &b), "p-web", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer req.Context.(io.Closer).Close()
	got, order := readTar(t, req.Context)
	return got, order, req
}

func TestContextIgnore(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		build      types.BuildConfig
		present    []string
		absent     []string
		dockerfile string
	}{
		{
			name:    "ignored files are absent",
			files:   map[string]string{"Dockerfile": "FROM x", ".dockerignore": "*.log\nsecret/\n", "a.log": "", "app.js": "", "secret/key": "", "src/b.log": ""},
			present: []string{"Dockerfile", ".dockerignore", "app.js", "src/", "src/b.log"},
			absent:  []string{"a.log", "secret/", "secret/key"},
		},
		{
			name:    "exceptions are kept",
			files:   map[string]string{"Dockerfile": "", ".dockerignore": "logs\n!logs/keep\n*.tmp\n!important.tmp\n", "logs/keep": "k", "logs/drop": "", "x.tmp": "", "important.tmp": ""},
			present: []string{"logs/keep", "important.tmp"},
			absent:  []string{"logs/drop", "x.tmp", "logs/"},
		},
		{
			name:    "dockerfile and dockerignore kept when ignored",
			files:   map[string]string{"Dockerfile": "FROM x", ".dockerignore": "*\n", "other": ""},
			present: []string{"Dockerfile", ".dockerignore"},
			absent:  []string{"other"},
		},
		{
			name:       "nested dockerfile kept inside an ignored dir",
			files:      map[string]string{"docker/web.Dockerfile": "FROM x", "docker/other": "", ".dockerignore": "docker\n"},
			build:      types.BuildConfig{Dockerfile: "docker/web.Dockerfile"},
			present:    []string{"docker/web.Dockerfile"},
			absent:     []string{"docker/other", "docker/"},
			dockerfile: "docker/web.Dockerfile",
		},
		{
			name:       "per-dockerfile ignore file wins",
			files:      map[string]string{"web.Dockerfile": "", "web.Dockerfile.dockerignore": "b\n", ".dockerignore": "a\n", "a": "", "b": ""},
			build:      types.BuildConfig{Dockerfile: "web.Dockerfile"},
			present:    []string{"a", "web.Dockerfile"},
			absent:     []string{"b"},
			dockerfile: "web.Dockerfile",
		},
		{
			name:    "nested dirs with double star",
			files:   map[string]string{"Dockerfile": "", ".dockerignore": "**/node_modules\n", "a/b/node_modules/x": "", "a/b/c.js": "", "node_modules/y": ""},
			present: []string{"a/", "a/b/", "a/b/c.js"},
			absent:  []string{"a/b/node_modules/x", "node_modules/y", "node_modules/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			got, order, req := contextOf(t, dir, tt.build)
			for _, p := range tt.present {
				if _, ok := got[p]; !ok {
					t.Errorf("%s missing from the tar %v", p, order)
				}
			}
			for _, p := range tt.absent {
				if _, ok := got[p]; ok {
					t.Errorf("%s present in the tar %v", p, order)
				}
			}
			want := tt.dockerfile
			if want == "" {
				want = "Dockerfile"
			}
			if req.Dockerfile != want {
				t.Errorf("Dockerfile = %q, want %q", req.Dockerfile, want)
			}
		})
	}
}

func TestContextSymlinksAndModes(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x", "run.sh": "#!/bin/sh", "link": "->run.sh", "escape": "->" + outside, "d/": ""})
	if err := os.WriteFile(outside, []byte("top secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, _, _ := contextOf(t, dir, types.BuildConfig{})
	if e := got["run.sh"]; e.mode != 0o755 || e.typ != tar.TypeReg || e.body != "#!/bin/sh" {
		t.Errorf("run.sh = %+v, want an executable file", e)
	}
	if e := got["link"]; e.typ != tar.TypeSymlink || e.link != "run.sh" {
		t.Errorf("link = %+v, want a symlink to run.sh", e)
	}
	if e := got["escape"]; e.typ != tar.TypeSymlink || e.body != "" {
		t.Errorf("escape = %+v, want a symlink sent as a link, not its target", e)
	}
	if e := got["d/"]; e.typ != tar.TypeDir || e.mode != 0o755 {
		t.Errorf("d/ = %+v, want a directory 0755", e)
	}
}

func TestContextIsStable(t *testing.T) {
	files := map[string]string{"Dockerfile": "FROM x", "b/c": "1", "a": "2", "z/y/x": "3"}
	d1, d2 := t.TempDir(), t.TempDir()
	writeTree(t, d1, files)
	writeTree(t, d2, files)
	if err := os.Chtimes(filepath.Join(d2, "a"), epoch.AddDate(9, 0, 0), epoch.AddDate(9, 0, 0)); err != nil {
		t.Fatal(err)
	}
	tar1, tar2 := tarBytes(t, d1), tarBytes(t, d2)
	if !bytes.Equal(tar1, tar2) {
		t.Error("identical contexts gave different tars")
	}
	_, order, _ := contextOf(t, d1, types.BuildConfig{})
	if !slices.IsSorted(order) {
		t.Errorf("entries not in lexical order: %v", order)
	}
}

func tarBytes(t *testing.T, dir string) []byte {
	t.Helper()
	req, err := NewRequest(&types.Project{Name: "p"}, service("web", &types.BuildConfig{Context: dir}), "p-web", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(req.Context)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestContextInlineDockerfile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{".dockerignore": "*.log\n", "a.log": "", "app": ""})
	got, order, req := contextOf(t, dir, types.BuildConfig{DockerfileInline: "FROM x\nCOPY . /app\n"})
	if req.Dockerfile != InlineDockerfile {
		t.Errorf("Dockerfile = %q", req.Dockerfile)
	}
	if got[InlineDockerfile].body != "FROM x\nCOPY . /app\n" {
		t.Errorf("inline Dockerfile = %q (entries %v)", got[InlineDockerfile].body, order)
	}
	if ig := got[dockerignore].body; !strings.Contains(ig, "*.log") || !strings.Contains(ig, InlineDockerfile) {
		t.Errorf(".dockerignore = %q, want the user's patterns and the inline Dockerfile", ig)
	}
	if _, ok := got["a.log"]; ok {
		t.Error("a.log sent although ignored")
	}
}

func TestContextCloseBeforeRead(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x"})
	req, err := NewRequest(nil, service("web", &types.BuildConfig{Context: dir}), "img", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Context.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := req.Context.Read(make([]byte, 1)); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read after close: %v, want ErrClosedPipe", err)
	}
}

func TestContextSpecialFilesSkipped(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x"})
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no fifo here:", err)
	}
	got, _, _ := contextOf(t, dir, types.BuildConfig{})
	if _, ok := got["fifo"]; ok {
		t.Error("fifo sent in the context")
	}
}

// service is a service with a build section (Build lives in an embedded
// struct, so literals cannot name it).
func service(name string, b *types.BuildConfig) types.ServiceConfig {
	s := types.ServiceConfig{Name: name}
	s.Build = b
	return s
}
