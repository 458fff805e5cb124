package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// loadWith loads compose.yaml of dir with the given cache directory.
func loadWith(t *testing.T, dir, cacheHome string) (string, error) {
	t.Helper()
	p, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}})
	if err != nil {
		return "", err
	}
	return services(p), nil
}

func TestValidCacheRemembersOnlySuccess(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	cache := filepath.Join(cacheHome, "berth", validCacheName)
	writeFiles(t, dir, map[string]string{"compose.yaml": web})
	if got, err := loadWith(t, dir, cacheHome); err != nil || got != "web" {
		t.Fatalf("first load: %q %v", got, err)
	}
	keys, err := os.ReadFile(cache)
	if err != nil || len(keys) == 0 {
		t.Fatalf("cache after a valid load: %q %v", keys, err)
	}
	if got, err := loadWith(t, dir, cacheHome); err != nil || got != "web" {
		t.Fatalf("cached load: %q %v", got, err)
	}

	// A changed file is validated again and fails exactly as without a cache.
	bad := "services:\n  web:\n    imgae: nginx\n"
	writeFiles(t, dir, map[string]string{"compose.yaml": bad})
	_, cached := loadWith(t, dir, cacheHome)
	_, _, plain := Load(t.Context(), Options{WorkingDir: dir})
	if cached == nil || plain == nil || cached.Error() != plain.Error() {
		t.Fatalf("bad file with a cache: %v\nwithout: %v", cached, plain)
	}
	if after, _ := os.ReadFile(cache); !reflect.DeepEqual(after, keys) {
		t.Errorf("a failed load changed the cache:\n%s\nwas\n%s", after, keys)
	}
}

// TestValidCacheSeesEnvironment: a load whose variables are unset is
// remembered by their names; once .env sets one, the load is validated
// again and not remembered, and the old line serves again once it is unset.
func TestValidCacheSeesEnvironment(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${IMAGE:-busybox}\n"})
	o := Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}}
	keys := func(want string) []string {
		t.Helper()
		p, _, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "image", p.Services["web"].Image, want)
		b, _ := os.ReadFile(filepath.Join(cacheHome, "berth", validCacheName))
		return strings.Split(string(b), "\n")
	}
	first := keys("busybox")
	if again := keys("busybox"); !slices.Equal(again, first) || len(first) != 1 {
		t.Fatalf("same input twice: keys %v then %v, want one", first, again)
	}
	if line := first[0]; !strings.HasSuffix(line, " COMPOSE_PROJECT_NAME IMAGE") || len(strings.Fields(line)) != 3 {
		t.Errorf("cache line %q: want the input's digest and the names looked up, nothing else", line)
	}
	for _, dotenv := range []string{"IMAGE=nginx\n", "IMAGE=redis\n"} {
		writeFiles(t, dir, map[string]string{".env": dotenv})
		wantEqual(t, dotenv+" skips validation", skips(t, o), false)
		if changed := keys(strings.TrimSpace(strings.TrimPrefix(dotenv, "IMAGE="))); !slices.Equal(changed, first) {
			t.Fatalf("after .env set IMAGE: keys %v, want %v", changed, first)
		}
	}
	writeFiles(t, dir, map[string]string{".env": "OTHER=1\n"})
	wantEqual(t, "IMAGE unset again: skips validation", skips(t, o), true)
	keys("busybox")
}

func TestValidCacheUnwritable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": web, "notadir": "x"})
	for range 2 {
		if got, err := loadWith(t, dir, filepath.Join(dir, "notadir")); err != nil || got != "web" {
			t.Fatalf("load with an unwritable cache: %q %v", got, err)
		}
	}
}

// skips tells whether Load would skip validation for o now.
func skips(t *testing.T, o Options) bool {
	t.Helper()
	files, _, err := configFiles(o)
	if err != nil {
		t.Fatal(err)
	}
	configs, err := readFiles(o, files, newSources(o.WorkingDir))
	if err != nil {
		t.Fatal(err)
	}
	dir := projectDir(o, files)
	env, err := environment(o, dir)
	if err != nil {
		t.Fatal(err)
	}
	return validated(validCacheFile(o.Environ), inputKey(o, dir, configs), env)
}

// TestValidCacheIsIndistinguishable: rich, with every variable it
// interpolates unset (no .env, a default for FROM_ENV), is remembered and
// loads the same without validation; with .env setting TAG it is not.
func TestValidCacheIsIndistinguishable(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	files := maps.Clone(richFiles)
	delete(files, ".env")
	files["compose.yaml"] = strings.ReplaceAll(rich, "${FROM_ENV}", "${FROM_ENV:-dflt}")
	writeFiles(t, dir, files)
	o := Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome, "CERT=pem"}}
	writeFiles(t, dir, map[string]string{".env": "TAG=7\n"})
	if _, _, err := Load(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if skips(t, o) {
		t.Fatal("a load that found TAG set in .env was remembered")
	}
	os.Remove(filepath.Join(dir, ".env"))
	for _, profiles := range [][]string{nil, {"ops"}} {
		o.Profiles = profiles
		fresh, freshWarn, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if (profiles == nil) != (len(fresh.DisabledServices) > 0) || len(freshWarn) == 0 {
			t.Fatalf("the rich file lost its point: disabled %v, warnings %v", fresh.DisabledServices, freshWarn)
		}
		if !skips(t, o) {
			t.Fatal("a valid load was not remembered")
		}
		cached, cachedWarn, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		sameProject(t, cached, fresh)
		if !reflect.DeepEqual(cachedWarn, freshWarn) {
			t.Errorf("warnings: %v, want %v", cachedWarn, freshWarn)
		}
	}
}

// TestValidCacheNeverSkipsOtherFiles: a load that read an extended or
// included file is never remembered, however the key is written, so a typo
// or a value the schema rejects in that file fails on every load.
func TestValidCacheNeverSkipsOtherFiles(t *testing.T) {
	const base = "services:\n  x:\n    image: busybox\n"
	for name, c := range map[string]struct{ file, main, other string }{
		"extends block":  {"compose.yaml", "services:\n  a:\n    extends:\n      file: other.yaml\n      service: x\n", base},
		"extends flow":   {"compose.yaml", "services: {a: {extends: {file: other.yaml, service: x}}}\n", base},
		"extends quoted": {"compose.yaml", "services:\n  a:\n    \"extends\": {\"file\": other.yaml, service: x}\n", base},
		"extends JSON":   {"compose.json", `{"services": {"a": {"extends": {"file": "other.yaml", "service": "x"}}}}`, base},
		"extends anchor": {"compose.yaml", "x-e: &e {extends: {file: other.yaml, service: x}}\nservices:\n  a: *e\n", base},
		"extends var":    {"compose.yaml", "services:\n  a:\n    extends: {file: '${F:-other.yaml}', service: x}\n", base},
		"include flow":   {"compose.yaml", "{include: [other.yaml], services: {a: {image: busybox}}}\n", base},
		"include JSON":   {"compose.json", `{"include": ["other.yaml"], "services": {"a": {"image": "busybox"}}}`, base},
	} {
		t.Run(name, func(t *testing.T) {
			dir, cacheHome := t.TempDir(), t.TempDir()
			writeFiles(t, dir, map[string]string{c.file: c.main, "other.yaml": c.other})
			o := Options{WorkingDir: dir, Files: []string{c.file}, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}}
			if _, _, err := Load(t.Context(), o); err != nil {
				t.Fatal(err)
			}
			if skips(t, o) {
				t.Fatal("a load that read another file was remembered")
			}
			for _, bad := range []string{
				"services:\n  x:\n    imgae: busybox\n",
				"services:\n  x:\n    image: busybox\n    cpus: .inf\n",
			} {
				writeFiles(t, dir, map[string]string{"other.yaml": bad})
				_, _, cached := Load(t.Context(), o)
				_, _, plain := Load(t.Context(), Options{WorkingDir: dir, Files: o.Files})
				if cached == nil || plain == nil || cached.Error() != plain.Error() || strings.Contains(cached.Error(), panicked) {
					t.Errorf("%q in the other file: with a cache %v, without %v", bad, cached, plain)
				}
			}
		})
	}
}

// TestValidCacheKeysExactlyTheVariablesLookedUp: a load with its variable
// unset is remembered for exactly that: other variables do not matter,
// setting the one looked up (even to "") or COMPOSE_PROJECT_NAME does; a
// load that found it set is not remembered at all.
func TestValidCacheKeysExactlyTheVariablesLookedUp(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${IMG:-busybox}\n"})
	o := func(vars ...string) Options {
		return Options{WorkingDir: dir, Environ: append([]string{"XDG_CACHE_HOME=" + cacheHome}, vars...)}
	}
	if _, _, err := Load(t.Context(), o("IMG=a", "OTHER=x")); err != nil {
		t.Fatal(err)
	}
	if skips(t, o("IMG=a", "OTHER=x")) || skips(t, o("OTHER=x")) {
		t.Fatal("a load with IMG set was remembered")
	}
	if _, _, err := Load(t.Context(), o("OTHER=x")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		vars []string
		want bool
	}{
		{[]string{"OTHER=x"}, true},
		{[]string{"OTHER=y"}, true},
		{nil, true},
		{[]string{"IMG=a", "OTHER=x"}, false},
		{[]string{"IMG=", "OTHER=x"}, false},
		{[]string{"IMG=busybox"}, false},
		{[]string{"COMPOSE_PROJECT_NAME=other"}, false},
	} {
		wantEqual(t, strings.Join(c.vars, " "), skips(t, o(c.vars...)), c.want)
	}
}

// TestValidCacheWritesNoEnvironment: nothing of the process environment
// reaches the cache directory, not a variable the files never name and not
// one they interpolate; what earlier builds wrote there goes; and a load
// that skips validation still gives the project the live environment, as
// any load does.
func TestValidCacheWritesNoEnvironment(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${IMG:-busybox}\n"})
	writeFiles(t, cacheHome, map[string]string{"berth/projects/0123": "AWS_SECRET_ACCESS_KEY=old",
		"berth/loaded/4567": "img-value", "berth/validated": "89ab 0123 IMG"})
	for i, secret := range []string{"s3cr3t-one", "s3cr3t-two"} {
		o := Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome, "AWS_SECRET_ACCESS_KEY=" + secret}}
		wantEqual(t, "skips validation", skips(t, o), i == 1)
		p, _, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "secret in the project", p.Environment["AWS_SECRET_ACCESS_KEY"], secret)
	}
	// IMG set: loaded afresh, nothing of it written.
	o := Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome, "IMG=img-value"}}
	for range 2 {
		wantEqual(t, "IMG set: skips validation", skips(t, o), false)
		p, _, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "image", p.Services["web"].Image, "img-value")
	}
	stored, _ := filepath.Glob(filepath.Join(cacheHome, "berth", projectCacheName, "*"))
	if len(stored) != 1 {
		t.Fatalf("stored projects: %v, want one", stored)
	}
	sum := sha256.Sum256([]byte("img-value"))
	noFileHolds(t, cacheHome, "s3cr3t", "AWS_SECRET", "XDG_CACHE_HOME", "img-value", string(sum[:]), hex.EncodeToString(sum[:]))
	for _, old := range legacyCaches {
		if _, err := os.Stat(filepath.Join(cacheHome, "berth", old)); err == nil {
			t.Errorf("%s, which earlier builds wrote, is still there", old)
		}
	}
}

// TestValidCacheRemembersNoLoadThatLogged: compose-go warns about the
// obsolete version key only while validating, so such a load is never
// skipped.
func TestValidCacheRemembersNoLoadThatLogged(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "{\"version\": \"3\", services: {web: {image: nginx}}}\n"})
	o := Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}}
	if _, _, err := Load(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if skips(t, o) {
		t.Error("a load that logged a warning was remembered")
	}
}
