package compose

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
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
	cache := filepath.Join(cacheHome, "berth", "validated")
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

func TestValidCacheSeesEnvironment(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${IMAGE}\n", ".env": "IMAGE=nginx\n"})
	keys := func() []string {
		if _, err := loadWith(t, dir, cacheHome); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(cacheHome, "berth", "validated"))
		return strings.Fields(string(b))
	}
	first := keys()
	if again := keys(); !slices.Equal(again, first) || len(first) != 1 {
		t.Fatalf("same input twice: keys %v then %v, want one", first, again)
	}
	writeFiles(t, dir, map[string]string{".env": "IMAGE=redis\n"})
	if changed := keys(); len(changed) != 2 {
		t.Fatalf("after .env changed: keys %v, want a second one", changed)
	}
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

func TestValidKeySkipsWhatItCannotCover(t *testing.T) {
	for _, content := range []string{
		"include:\n  - other.yaml\n",
		"services:\n  web:\n    extends:\n      file: base.yaml\n      service: web\n",
		"version: \"3\"\nservices: {}\n",
	} {
		if key := validKey(Options{}, []types.ConfigFile{{Filename: "c.yaml", Content: []byte(content)}}, nil); key != "" {
			t.Errorf("key of %q: %q, want none", content, key)
		}
	}
}
