package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestParse(t *testing.T) {
	in := `{"type":"debug","message":"starting"}
{ "type": "info", "message": "50%\nmore" }
{"type":"setenv","message":"URL=https://x/?a=b"}{"type":"rawsetenv","message":"REGION="}`
	var seen []string
	v, err := Parse(strings.NewReader(in), func(m Message) { seen = append(seen, m.Type+":"+FirstLine(m.Message)) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"debug:starting", "info:50%"}; !slices.Equal(seen, want) {
		t.Errorf("reported %q, want %q", seen, want)
	}
	if v.Prefixed["URL"] != "https://x/?a=b" || len(v.Prefixed) != 1 {
		t.Errorf("prefixed: %v", v.Prefixed)
	}
	if val, ok := v.Raw["REGION"]; !ok || val != "" || len(v.Raw) != 1 {
		t.Errorf("raw: %v", v.Raw)
	}
}

func TestParseFailures(t *testing.T) {
	for in, want := range map[string]string{
		`{"type":"info","message":"a"}{"type":"error","message":"Permission error"}`: "Permission error",
		`{"type":"setenv","message":"NOEQUALS"}`:                                     `setenv "NOEQUALS" is not KEY=VALUE`,
		`{"type":"setenv","message":"=v"}`:                                           `setenv "=v" is not KEY=VALUE`,
		`{"type":"warn","message":"x"}`:                                              `unknown message type "warn"`,
		`not json`:                                                                   "invalid response from provider",
	} {
		_, err := Parse(strings.NewReader(in), func(Message) {})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

func str(s string) *string { return &s }

// TestMergePrecedence: prefixed variables are added (replacing silently a
// declared one of the same name), raw ones replace the declared ones,
// value-less ones included, and each replacement that changes something is
// reported; later providers win.
func TestMergePrecedence(t *testing.T) {
	declared := map[string]*string{"REGION": str("local"), "PASS": nil, "SAME": str("1"), "DB_URL": str("old")}
	vars := map[string]Vars{
		"db":    {Prefixed: map[string]string{"URL": "u1"}, Raw: map[string]string{"REGION": "eu", "SAME": "1"}},
		"cache": {Prefixed: map[string]string{"URL": "u2"}, Raw: map[string]string{"PASS": "p", "REGION": "us"}},
	}
	got, overrides := Merge(declared, []string{"cache", "db"}, vars)
	want := map[string]string{"REGION": "eu", "PASS": "p", "SAME": "1", "DB_URL": "u1", "CACHE_URL": "u2"}
	if len(got) != len(want) {
		t.Errorf("merged %d variables, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] == nil || *got[k] != v {
			t.Errorf("%s = %v, want %q", k, got[k], v)
		}
	}
	wantOv := []Override{{"cache", "PASS"}, {"cache", "REGION"}, {"db", "REGION"}}
	if !slices.Equal(overrides, wantOv) {
		t.Errorf("overrides %v, want %v", overrides, wantOv)
	}
	if *declared["REGION"] != "local" || declared["PASS"] != nil {
		t.Error("Merge changed the declared environment")
	}
}

func TestArgs(t *testing.T) {
	cfg := types.ServiceProviderConfig{Type: "cloud", Options: types.MultiOptions{"size": {"1"}, "name": {"a", "b"}, "extra": {"x"}}}
	r := Request{Project: "demo", Service: "db", Command: Up, Config: cfg}
	got, ok, err := Args(r, Metadata{})
	if want := "compose --project-name=demo up --extra=x --name=a --name=b --size=1 db"; err != nil || !ok || strings.Join(got, " ") != want {
		t.Errorf("without metadata: %q %v %v, want %q", got, ok, err, want)
	}
	meta := Metadata{Description: "d",
		Up:   Command{Parameters: []Parameter{{Name: "name", Required: true}, {Name: "size"}}},
		Down: Command{Parameters: []Parameter{{Name: "name"}}}}
	got, _, _ = Args(r, meta)
	if want := "compose --project-name=demo up --name=a --name=b --size=1 db"; strings.Join(got, " ") != want {
		t.Errorf("with metadata: %q, want %q", got, want)
	}
	r.Command = Stop
	if _, ok, err := Args(r, meta); ok || err != nil {
		t.Errorf("stop without a declared stop must not run: %v %v", ok, err)
	}
	r.Command, r.Config.Options = Up, types.MultiOptions{"size": {"1"}}
	if _, _, err := Args(r, meta); err == nil || err.Error() != `required parameter "name" is missing from provider "cloud" definition` {
		t.Errorf("missing required: %v", err)
	}
}

func TestLookupPrefersPlugin(t *testing.T) {
	home, path := t.TempDir(), t.TempDir()
	write := func(p string) {
		t.Helper()
		if err := writeExe(p); err != nil {
			t.Fatal(err)
		}
	}
	write(path + "/cloud")
	env := []string{"HOME=" + home, "PATH=" + path}
	if got, err := Lookup("cloud", env); err != nil || got != path+"/cloud" {
		t.Errorf("on PATH: %q %v", got, err)
	}
	write(home + "/.docker/cli-plugins/docker-cloud")
	if got, err := Lookup("cloud", env); err != nil || got != home+"/.docker/cli-plugins/docker-cloud" {
		t.Errorf("plugin: %q %v", got, err)
	}
	if _, err := Lookup("compose", env); err == nil {
		t.Error("compose is not a provider")
	}
	if _, err := Lookup("nowhere", env); err == nil || !strings.Contains(err.Error(), `no "nowhere" executable in PATH`) {
		t.Errorf("missing: %v", err)
	}
}
