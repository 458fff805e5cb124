package watch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awaitPath reads changes until want arrives and returns every path seen
// before it.
func awaitPath(t *testing.T, w *Watcher, want string) []string {
	t.Helper()
	var before []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case p := <-w.Changes():
			if p == want {
				return before
			}
			before = append(before, p)
		case err := <-w.Errors():
			t.Fatalf("watch error: %v", err)
		case <-timeout:
			t.Fatalf("no change reported for %s (saw %v)", want, before)
		}
	}
}

func newTestWatcher(t *testing.T, roots ...string) *Watcher {
	t.Helper()
	w, err := NewWatcher(roots)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherFollowsNewDirectories(t *testing.T) {
	root := t.TempDir()
	w := newTestWatcher(t, root)
	// MkdirAll and the write race the watch added for the new directory:
	// the file must be reported either way.
	deep := filepath.Join(root, "a", "b", "c", "x.js")
	write(t, deep, "1")
	awaitPath(t, w, deep)
	// And the new directory is watched from now on.
	next := filepath.Join(root, "a", "b", "c", "y.js")
	write(t, next, "2")
	awaitPath(t, w, next)
}

func TestWatcherSurvivesWriteRenameSaves(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "index.js")
	write(t, file, "v0")
	w := newTestWatcher(t, file) // a single-file root
	for _, v := range []string{"v1", "v2", "v3"} {
		tmp := filepath.Join(root, ".index.js.swp")
		write(t, tmp, v)
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
		awaitPath(t, w, file)
	}
}

func TestWatcherIgnoresNoise(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, ".git", "HEAD"), "ref")
	w := newTestWatcher(t, root)
	noise := []string{".git/index", ".main.go.swp", "main.go~", ".#main.go", "#main.go#", "4913", "x___jb_tmp___", ".git/objects/ab/cd"}
	for _, n := range noise {
		write(t, filepath.Join(root, n), "x")
	}
	real := filepath.Join(root, "main.go")
	write(t, real, "package main")
	if before := awaitPath(t, w, real); len(before) > 0 {
		t.Fatalf("noise reported: %v", before)
	}
}

func TestWatcherMissingRootIsAnError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "src")
	_, err := NewWatcher([]string{missing})
	if err == nil || !os.IsNotExist(err) && !strings.Contains(err.Error(), missing) {
		t.Fatalf("got %v, want an error naming %s", err, missing)
	}
}

func TestNoise(t *testing.T) {
	for path, want := range map[string]bool{
		"/p/src/index.js":        false,
		"/p/.gitignore":          false,
		"/p/.env":                false,
		"/p/.git/HEAD":           true,
		"/p/sub/.git/refs/x":     true,
		"/p/.idea/workspace.xml": true,
		"/p/.index.js.swp":       true,
		"/p/index.js~":           true,
		"/p/.#index.js":          true,
		"/p/#index.js#":          true,
		"/p/4913":                true,
		"/p/a.js___jb_old___":    true,
		"/p/.DS_Store":           true,
		"/p/a.kate-swp":          true,
		"/p/.a.kate-swp":         true,
		"/p/#":                   false,
	} {
		if got := Noise(path); got != want {
			t.Errorf("Noise(%q) = %v, want %v", path, got, want)
		}
	}
}
