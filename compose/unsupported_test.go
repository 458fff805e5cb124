package compose

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestUnsupportedPatternsNameModelKeys: every listed key is a key of the
// model compose-go loads, so the walk can find it; a key that moves or
// disappears in another compose-go version fails here, not silently.
func TestUnsupportedPatternsNameModelKeys(t *testing.T) {
	for _, u := range unsupported {
		typ := reflect.TypeFor[types.Project]()
		for _, part := range u.path.Parts() {
			if typ = modelChild(typ, part); typ == nil {
				t.Errorf("%s: no key %q in the model", u.path, part)
				break
			}
		}
	}
}

// modelChild is the type of typ's entry part ("*" for a map's values).
func modelChild(typ reflect.Type, part string) reflect.Type {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Map:
		if part == tree.PathMatchAll {
			return typ.Elem()
		}
	case reflect.Struct:
		for i := range typ.NumField() {
			if name, inline := yamlName(typ.Field(i)); name == part {
				return typ.Field(i).Type
			} else if inline {
				if t := modelChild(typ.Field(i).Type, part); t != nil {
					return t
				}
			}
		}
	}
	return nil
}

func loadWarnings(t *testing.T, files map[string]string, o Options) []string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	o.WorkingDir = dir
	_, ws, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range ws {
		got = append(got, w.String())
	}
	return got
}

func TestUnsupportedWarnings(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		o     Options
		want  []string
	}{
		{name: "empty value still set", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    blkio_config: {}\n"},
			want: []string{"compose.yaml:4:5: services.web.blkio_config: not applied by berth yet, ignored"}},
		{name: "dotted service name", files: map[string]string{"compose.yaml": "services:\n  my.app:\n    image: x\n    use_api_socket: true\n"},
			want: []string{"compose.yaml:4:5: services.my.app.use_api_socket: not applied by berth yet, ignored"}},
		{name: "from an override file", files: map[string]string{
			"compose.yaml":          "services:\n  web:\n    image: x\n",
			"compose.override.yaml": "services:\n  web:\n    isolation: process\n"},
			want: []string{"compose.override.yaml:3:5: services.web.isolation: not applied by berth yet, ignored (Windows only)"}},
		{name: "unselected service", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n  ops:\n    image: x\n    gpus: all\n"},
			o: Options{Services: []string{"web"}}},
		{name: "top-level models", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\nmodels:\n  m:\n    model: ai/smollm2\n"},
			want: []string{"compose.yaml:4:1: models: not applied by berth yet, ignored (models are not run)"}},
		{name: "per-network keys", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    networks:\n      a: {link_local_ips: [169.254.8.8]}\n      b:\nnetworks: {a: {}, b: {}}\n"},
			want: []string{"compose.yaml:5:11: services.web.networks.a.link_local_ips: not applied by berth yet, ignored"}},
		{name: "windows cpu keys", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    cpu_count: 2\n    cpu_percent: 50\n"},
			want: []string{"compose.yaml:4:5: services.web.cpu_count: not applied by berth yet, ignored (Windows only)",
				"compose.yaml:5:5: services.web.cpu_percent: not applied by berth yet, ignored (Windows only)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := loadWarnings(t, c.files, c.o); !slices.Equal(got, c.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestKeysNewerThanTheLoaderAreRejected: keys that only later compose-go
// versions know are errors, as in the Docker Compose release berth follows.
func TestKeysNewerThanTheLoaderAreRejected(t *testing.T) {
	for _, yaml := range []string{
		"services:\n  web:\n    image: x\n    umask: \"0022\"\n",
		"services:\n  web:\n    image: x\n    use_service_name_alias: true\n",
		"services:\n  web:\n    image: x\njobs:\n  j:\n    image: x\n",
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"compose.yaml": yaml})
		if _, _, err := Load(t.Context(), Options{WorkingDir: dir}); err == nil || !strings.Contains(err.Error(), "compose.yaml:") {
			t.Errorf("%q: got %v, want a located error", yaml, err)
		}
	}
}
