package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine"
)

// archiveEntry is one tar header and, for a regular file, its content.
type archiveEntry struct {
	name, link, body string
	kind             byte
}

func dirEntry(name string) archiveEntry { return archiveEntry{name: name + "/", kind: tar.TypeDir} }
func fileEntry(name, body string) archiveEntry {
	return archiveEntry{name: name, body: body, kind: tar.TypeReg}
}
func symlinkEntry(name, target string) archiveEntry {
	return archiveEntry{name: name, link: target, kind: tar.TypeSymlink}
}
func hardlinkEntry(name, target string) archiveEntry {
	return archiveEntry{name: name, link: target, kind: tar.TypeLink}
}

func tarOf(t *testing.T, entries ...archiveEntry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.kind, Mode: 0o644, Size: int64(len(e.body))}
		if e.kind == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// sandbox is a destination and, beside it, a directory that an archive
// must not reach, holding one file.
func sandbox(t *testing.T) (dest, outside string) {
	t.Helper()
	base := t.TempDir()
	dest, outside = filepath.Join(base, "dest"), filepath.Join(base, "outside")
	for _, d := range []string{dest, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dest, outside
}

// assertUntouched fails unless outside still holds exactly its one file.
func assertUntouched(t *testing.T, outside string) {
	t.Helper()
	entries, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(outside, "secret"))
	if len(entries) != 1 || string(b) != "untouched" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("outside now holds %v, secret %q", names, b)
	}
}

// TestUntarRefusesEscapes: a container's archive cannot write outside the
// destination: not by name, not through a symlink it created itself, not
// by a hard link.
func TestUntarRefusesEscapes(t *testing.T) {
	cases := []struct {
		name    string
		entries func(outside string) []archiveEntry
	}{
		{"file through a symlink to an absolute path", func(o string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), symlinkEntry("top/l", o), fileEntry("top/l/evil", "x")}
		}},
		{"file through a relative symlink that climbs out", func(string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), symlinkEntry("top/l", "../../outside"), fileEntry("top/l/evil", "x")}
		}},
		{"file through a chain of symlinks", func(string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), symlinkEntry("top/a", "b"), symlinkEntry("top/b", "../../outside"), fileEntry("top/a/evil", "x")}
		}},
		{"directory through a symlink", func(o string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), symlinkEntry("top/l", o), dirEntry("top/l/sub")}
		}},
		{"overwrite through a symlink", func(o string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), symlinkEntry("top/l", o), fileEntry("top/l/secret", "overwritten")}
		}},
		{"name with ..", func(string) []archiveEntry { return []archiveEntry{fileEntry("../outside/evil", "x")} }},
		{"name with .. inside", func(string) []archiveEntry { return []archiveEntry{fileEntry("top/../../outside/evil", "x")} }},
		{"absolute name", func(o string) []archiveEntry { return []archiveEntry{fileEntry(filepath.Join(o, "evil"), "x")} }},
		{"hard link to an absolute path", func(o string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), hardlinkEntry("top/h", filepath.Join(o, "secret"))}
		}},
		{"hard link that climbs out", func(string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), hardlinkEntry("top/h", "../outside/secret")}
		}},
		{"hard link through a symlink", func(o string) []archiveEntry {
			return []archiveEntry{dirEntry("top"), symlinkEntry("top/l", o), hardlinkEntry("top/h", "top/l/secret")}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dest, outside := sandbox(t)
			err := untar(tarOf(t, c.entries(outside)...), dest, "top", "", false)
			if err == nil || !strings.Contains(err.Error(), "tar entry") {
				t.Errorf("err = %v, want the entry refused", err)
			}
			assertUntouched(t, outside)
			if _, err := os.Lstat(filepath.Join(dest, "top", "h")); err == nil {
				t.Error("the hard link was made")
			}
		})
	}
}

// TestUntarKeepsWhatStaysInside: directories, files with their modes,
// symlinks (kept as they are, wherever they point), hard links inside the
// copy, files whose directories have no entry, and the top entry renamed.
func TestUntarKeepsWhatStaysInside(t *testing.T) {
	dest, outside := sandbox(t)
	archive := tarOf(t,
		dirEntry("top"), fileEntry("top/f.txt", "payload"),
		symlinkEntry("top/rel", "f.txt"), symlinkEntry("top/abs", outside),
		hardlinkEntry("top/hard", "top/f.txt"), fileEntry("top/deep/er/x.txt", "deep"),
		dirEntry("top/sub"), symlinkEntry("top/up", "../renamed/sub"), fileEntry("top/up/through.txt", "inside"),
	)
	if err := untar(archive, dest, "top", "renamed", false); err != nil {
		t.Fatal(err)
	}
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(dest, "renamed", rel))
		if err != nil {
			t.Error(err)
		}
		return string(b)
	}
	if got := read("f.txt"); got != "payload" {
		t.Errorf("f.txt = %q", got)
	}
	if got := read("rel"); got != "payload" {
		t.Errorf("rel = %q", got)
	}
	if got := read("deep/er/x.txt"); got != "deep" {
		t.Errorf("deep/er/x.txt = %q", got)
	}
	if got := read("sub/through.txt"); got != "inside" {
		t.Errorf("a symlink that stays inside was not followed: %q", got)
	}
	if l, err := os.Readlink(filepath.Join(dest, "renamed", "abs")); err != nil || l != outside {
		t.Errorf("abs -> %q, %v; want the link kept as it is", l, err)
	}
	a, _ := os.Stat(filepath.Join(dest, "renamed", "f.txt"))
	b, _ := os.Stat(filepath.Join(dest, "renamed", "hard"))
	if a == nil || b == nil || !os.SameFile(a, b) {
		t.Errorf("hard is not a link to f.txt: %v %v", a, b)
	}
	assertUntouched(t, outside)
}

// hostileArchive is a container whose path is the archive it was given,
// as a compromised container could produce.
type hostileArchive struct{ archive *bytes.Buffer }

func (h hostileArchive) StatPath(context.Context, string, string) (engine.PathStat, error) {
	return engine.PathStat{Name: "top", Mode: os.ModeDir | 0o755}, nil
}

func (h hostileArchive) CopyFrom(context.Context, string, string) (io.ReadCloser, engine.PathStat, error) {
	return io.NopCloser(h.archive), engine.PathStat{Name: "top", Mode: os.ModeDir | 0o755}, nil
}

func (h hostileArchive) CopyTo(context.Context, string, string, io.Reader, bool) error { return nil }
func (h hostileArchive) Export(context.Context, string) (io.ReadCloser, error) {
	return nil, errors.New("not used")
}

// TestCpFromRefusesSymlinkEscape is the report's case end to end through
// `berth cp SERVICE:/top DEST`: top/l -> OUTSIDE, then top/l/evil.
func TestCpFromRefusesSymlinkEscape(t *testing.T) {
	dest, outside := sandbox(t)
	ar := hostileArchive{tarOf(t, dirEntry("top"), symlinkEntry("top/l", outside), fileEntry("top/l/evil", "x"))}
	a := &app{stdout: io.Discard, stderr: io.Discard}
	err := a.copyFrom(t.Context(), ar, "web-1", "/top", filepath.Join(dest, "copy"), cpOptions{})
	if err == nil || !strings.Contains(err.Error(), `tar entry "top/l/evil"`) {
		t.Errorf("err = %v", err)
	}
	assertUntouched(t, outside)
}
