package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func secretProject(secrets types.Secrets) *types.Project {
	return &types.Project{Name: "demo", Secrets: secrets}
}

// TestInjectKeyCreatedOnceInConfigDir: the first project that needs the key
// creates it under $XDG_CONFIG_HOME, readable by the user alone; later runs
// read the same key, so labels stay stable and nothing is recreated.
func TestInjectKeyCreatedOnceInConfigDir(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	p := secretProject(types.Secrets{"token": {Environment: "TOKEN"}})
	first, err := injectKey(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg, "berth", "inject.key")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if len(first) != injectKeySize || bytes.Equal(first, make([]byte, injectKeySize)) {
		t.Errorf("key %x", first)
	}
	again, err := injectKey(p)
	if err != nil || !bytes.Equal(first, again) {
		t.Errorf("second load: %x, %v; want %x", again, err, first)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("config dir holds %v, want the key alone", entries)
	}
}

// TestInjectKeyOnlyWhenNeeded: a project whose secrets all come from files
// (or from outside) creates no key file.
func TestInjectKeyOnlyWhenNeeded(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	p := secretProject(types.Secrets{"a": {File: "/tmp/a"}, "b": {External: true}})
	key, err := injectKey(p)
	if err != nil || key != nil {
		t.Fatalf("key %x, %v", key, err)
	}
	if _, err := os.Stat(filepath.Join(cfg, "berth")); !os.IsNotExist(err) {
		t.Errorf("config dir touched: %v", err)
	}
	p.Configs = types.Configs{"conf": {Content: "port=80"}}
	if key, err := injectKey(p); err != nil || len(key) != injectKeySize {
		t.Errorf("with a content: config: key %x, %v", key, err)
	}
}

// TestInjectKeyConcurrentFirstUse: berths started together all end up with
// the one key that is on disk.
func TestInjectKeyConcurrentFirstUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "berth", "inject.key")
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = loadOrCreateKey(path) })
	}
	wg.Wait()
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if errs[i] != nil || !bytes.Equal(keys[i], onDisk) {
			t.Errorf("berth %d: key %x, %v; on disk %x", i, keys[i], errs[i], onDisk)
		}
	}
}

func TestInjectKeyRefusesBadFiles(t *testing.T) {
	cases := []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    string
	}{
		{"readable by others", bytes.Repeat([]byte{1}, injectKeySize), 0o644, "readable by others"},
		{"too short", []byte("short"), 0o600, "not a 32-byte key"},
		{"too long", bytes.Repeat([]byte{1}, injectKeySize+1), 0o600, "not a 32-byte key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "inject.key")
			if err := os.WriteFile(path, c.content, c.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, c.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			key, err := loadOrCreateKey(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("key %x, err %v; want %q", key, err, c.want)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, c.content) {
				t.Errorf("the file was changed")
			}
		})
	}
}
