package project_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/compose"
	"berth/project"
)

// TestConfigHashMatchesDockerCompose: for a service per key (env_file,
// healthcheck, restart, deploy, ports, volumes, …), the config hash berth
// computes on the project it loads is the one Docker Compose computed on
// the same files (testdata/hash/hashes.txt, recorded from a Compose build),
// so either tool takes over the other's containers without recreating them.
func TestConfigHashMatchesDockerCompose(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "hash"))
	if err != nil {
		t.Fatal(err)
	}
	want := readHashes(t, filepath.Join(dir, "hashes.txt"))
	p, _, err := compose.Load(t.Context(), compose.Options{WorkingDir: dir, Profiles: []string{"extra"},
		Environ: []string{"HOME=" + os.Getenv("HOME"), "XDG_CACHE_HOME=" + t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != len(want) {
		t.Errorf("%d services loaded, %d recorded", len(p.Services), len(want))
	}
	for name, h := range want {
		s, ok := p.Services[name]
		if !ok {
			t.Errorf("%s: not loaded", name)
			continue
		}
		if got := project.ConfigHash(s); got != h {
			t.Errorf("%s: hash %s, Docker Compose's %s", name, got, h)
		}
	}
}

// readHashes reads "service hash" lines; # starts a comment line.
func readHashes(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, h, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: bad line %q", file, line)
		}
		out[name] = h
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
