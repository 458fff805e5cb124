package compose

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFiles writes name → content below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		opts    Options
		environ []string
		want    string
	}{
		{
			name: "unknown service key",
			files: map[string]string{"compose.yaml": `services:
  web:
    image: nginx
  db:
    imgae: postgres
`},
			want: `compose.yaml:5:5: services.db: unknown key "imgae" (did you mean "image"?)`,
		},
		{
			name:  "unknown top-level key",
			files: map[string]string{"compose.yaml": "servics:\n  db:\n    image: x\n"},
			want:  `compose.yaml:1:1: unknown top-level key "servics" (did you mean "services"?)`,
		},
		{
			name: "unknown key in a list item",
			files: map[string]string{"compose.yaml": `services:
  db:
    image: x
    ports:
      - target: 80
        publishd: 8080
`},
			want: `compose.yaml:6:9: services.db.ports.0: unknown key "publishd" (did you mean "published"?)`,
		},
		{
			name:  "unknown key without a close match",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n    zzzzzzzz: 1\n"},
			want:  `compose.yaml:4:5: services.db: unknown key "zzzzzzzz"`,
		},
		{
			name:  "wrong type",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n    ports: 80\n"},
			want:  `compose.yaml:4:5: services.db.ports: must be a array`,
		},
		{
			name:  "bad indentation",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n   foo: bar\n"},
			want:  `compose.yaml:4:4: yaml: did not find expected key (while parsing a block mapping)`,
		},
		{
			name:  "tab",
			files: map[string]string{"compose.yaml": "services:\n\tdb:\n"},
			want:  `compose.yaml:2:1: yaml: found character that cannot start any token (while scanning for the next token)`,
		},
		{
			name:  "unclosed flow sequence",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: [x\n"},
			want:  `compose.yaml:4:1: yaml: did not find expected ',' or ']' (while parsing a flow sequence)`,
		},
		{
			name:  "duplicate key",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n    image: y\n"},
			want:  `compose.yaml:4:5: yaml: mapping key "image" already defined at line 3`,
		},
		{
			name:  "required variable",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n    environment:\n      PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}\n"},
			want:  `compose.yaml:5:17: services.db.environment.PASSWORD: required variable DB_PASSWORD is missing a value: set DB_PASSWORD in .env`,
		},
		{
			name:  "required variable in a list",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n    environment:\n      - A=1\n      - B=${X:?need X}\n"},
			want:  `compose.yaml:6:9: services.db.environment.[]: required variable X is missing a value: need X`,
		},
		{
			name:  "required variable in a list of mappings",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n    ports:\n      - target: 80\n        published: ${X?need X}\n"},
			want:  `compose.yaml:6:20: services.db.ports.[].published: required variable X is missing a value: need X`,
		},
		{
			name:  "alias inside its own anchor",
			files: map[string]string{"compose.yaml": "x-base: &base\n  <<: *base\nservices:\n  a:\n    image: x\n"},
			want:  `compose.yaml:2:7: yaml: alias *base is used inside its own anchor`,
		},
		{
			name:  "invalid template",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: ${FOO\n"},
			want:  `compose.yaml:3:5: services.db.image: invalid interpolation format "${FOO" (write a literal $ as $$)`,
		},
		{
			name:  "undefined dependency",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    depends_on: [dbb]\n  db:\n    image: x\n"},
			want:  `compose.yaml:4:18: service "web" depends on undefined service "dbb" (did you mean "db"?)`,
		},
		{
			name:  "cycle",
			files: map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"},
			want:  `compose.yaml:4:5: dependency cycle detected: a -> b -> a`,
		},
		{
			name:  "no image",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    command: x\n"},
			want:  `compose.yaml:2:3: service "db" has neither an image nor a build context specified`,
		},
		{
			name:  "error in override file",
			files: map[string]string{"compose.yaml": "services:\n  db:\n    image: x\n", "compose.override.yaml": "services:\n  db:\n    enviroment: {A: b}\n"},
			want:  `compose.override.yaml:3:5: services.db: unknown key "enviroment" (did you mean "environment"?)`,
		},
		{
			name:  "unknown selected service",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n"},
			opts:  Options{Services: []string{"wbe"}},
			want:  `no such service: wbe (did you mean "web"?)`,
		},
		{
			name:  "invalid -p",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n"},
			opts:  Options{ProjectName: "My App"},
			want:  `invalid project name "My App": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
		},
		{
			name:  "empty",
			files: map[string]string{"compose.yaml": ""},
			want:  `empty compose file`,
		},
		{
			name:  "not a mapping",
			files: map[string]string{"compose.yaml": "hello\n"},
			want:  `top-level object must be a mapping`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			o := tt.opts
			o.WorkingDir, o.Environ = dir, tt.environ
			_, _, err := Load(t.Context(), o)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
