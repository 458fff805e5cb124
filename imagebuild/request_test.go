package imagebuild

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func ptr(s string) *string { return &s }

func TestNewRequestFields(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x"})
	p := &types.Project{Name: "shop", WorkingDir: dir, Environment: types.Mapping{"FROM_ENV": "env-value"}}
	b := &types.BuildConfig{
		Context:    ".",
		Args:       types.MappingWithEquals{"A": ptr("file"), "FROM_ENV": nil, "UNSET": nil, "OVER": ptr("file")},
		Target:     "prod",
		Labels:     types.Labels{"team": "web"},
		Tags:       []string{"shop/web:1", "shop-web"},
		Network:    "host",
		ExtraHosts: types.HostsList{"db": {"10.0.0.2"}, "api": {"10.0.0.1"}},
		ShmSize:    64 << 20,
		CacheFrom:  []string{"shop-web:cache", "type=registry,ref=shop-web:reg", "type=local,src=/tmp/cache"},
	}
	req, err := NewRequest(p, service("web", b), "shop-web", Options{NoCache: true, Args: map[string]*string{"OVER": ptr("flag"), "FLAG_ENV": nil, "A": nil}})
	if err != nil {
		t.Fatal(err)
	}
	defer req.Context.(io.Closer).Close()
	if want := []string{"shop-web", "shop/web:1"}; !slices.Equal(req.Tags, want) {
		t.Errorf("Tags = %v, want %v", req.Tags, want)
	}
	args := map[string]string{}
	for k, v := range req.Args {
		args[k] = *v
	}
	if want := map[string]string{"A": "file", "FROM_ENV": "env-value", "OVER": "flag"}; !equalMaps(args, want) {
		t.Errorf("Args = %v, want %v", args, want)
	}
	if req.Labels["team"] != "web" || req.Labels["com.docker.compose.project"] != "shop" || req.Labels["com.docker.compose.service"] != "web" {
		t.Errorf("Labels = %v", req.Labels)
	}
	if want := []string{"api:10.0.0.1", "db:10.0.0.2"}; !slices.Equal(req.ExtraHosts, want) {
		t.Errorf("ExtraHosts = %v, want %v", req.ExtraHosts, want)
	}
	if !req.NoCache || req.Pull || req.Target != "prod" || req.Network != "host" || req.ShmSize != 64<<20 || req.Dockerfile != "Dockerfile" || req.Service != "web" {
		t.Errorf("request = %+v", req)
	}
	if !slices.Equal(req.CacheFrom, []string{"shop-web:cache", "shop-web:reg"}) {
		t.Errorf("CacheFrom = %v", req.CacheFrom)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestNewRequestRefuses(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"app/Dockerfile": "FROM x", "Dockerfile.outside": "FROM x", "app/file": ""})
	tests := []struct {
		name  string
		build *types.BuildConfig
		want  string
	}{
		{"git url", &types.BuildConfig{Context: "https://github.com/x/y.git#main"}, `service "web": build: context "https://github.com/x/y.git#main" is not a local directory`},
		{"git ssh", &types.BuildConfig{Context: "git@github.com:x/y.git"}, "is not a local directory"},
		{"dockerfile outside", &types.BuildConfig{Context: filepath.Join(dir, "app"), Dockerfile: "../Dockerfile.outside"}, "is outside the build context"},
		{"absolute dockerfile outside", &types.BuildConfig{Context: filepath.Join(dir, "app"), Dockerfile: filepath.Join(dir, "Dockerfile.outside")}, "is outside the build context"},
		{"missing dockerfile", &types.BuildConfig{Context: filepath.Join(dir, "app"), Dockerfile: "nope"}, `dockerfile "nope": no such file`},
		{"missing context", &types.BuildConfig{Context: filepath.Join(dir, "gone")}, `context "` + filepath.Join(dir, "gone") + `"`},
		{"context is a file", &types.BuildConfig{Context: filepath.Join(dir, "app", "file")}, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRequest(&types.Project{Name: "p", WorkingDir: dir}, service("web", tt.build), "p-web", Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `service "web"`) {
				t.Fatalf("err = %v, want it to name the service and say %q", err, tt.want)
			}
		})
	}
	if _, err := NewRequest(nil, types.ServiceConfig{Name: "db"}, "db", Options{}); err == nil {
		t.Error("a service without build section gave a request")
	}
}

func TestNewRequestInsideContextViaAbsolutePath(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"sub/Dockerfile": "FROM x"})
	req, err := NewRequest(nil, service("web", &types.BuildConfig{Context: dir, Dockerfile: filepath.Join(dir, "sub", "Dockerfile")}), "i", Options{})
	if err != nil {
		t.Fatal(err)
	}
	req.Context.(io.Closer).Close()
	if req.Dockerfile != "sub/Dockerfile" {
		t.Errorf("Dockerfile = %q", req.Dockerfile)
	}
}

func TestNewRequestIgnoreFileSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "ignore")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM x", ".dockerignore": "->" + outside})
	if _, err := NewRequest(nil, service("web", &types.BuildConfig{Context: dir}), "i", Options{}); err == nil {
		t.Error("a .dockerignore symlink out of the context was read")
	}
}

func TestUnsupported(t *testing.T) {
	b := &types.BuildConfig{SSH: types.SSHConfig{{ID: "default"}}, Platforms: []string{"linux/arm64"}, Privileged: true}
	got := Unsupported("web", b, BuilderClassic)
	want := []string{
		`service "web": build.platforms needs BuildKit; the classic builder ignores it`,
		`service "web": build.privileged needs BuildKit; the classic builder ignores it`,
		`service "web": build.ssh needs BuildKit; the classic builder ignores it`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Unsupported = %q, want %q", got, want)
	}
	if got := Unsupported("web", &types.BuildConfig{Context: "."}, BuilderClassic); got != nil {
		t.Errorf("a plain build warned: %q", got)
	}
	b.Platforms = append(b.Platforms, "linux/amd64")
	b.CacheTo = []string{"type=inline", "type=local,dest=/tmp/c"}
	got = Unsupported("web", b, BuilderBuildKit)
	want = []string{
		`service "web": build.cache_to "type=local,dest=/tmp/c": only type=inline can be written by the engine's built-in BuildKit; berth builds without it`,
		`service "web": build.platforms [linux/arm64 linux/amd64]: several platforms need a multi-platform image store, which this engine has not; the engine's platform is built; berth builds without it`,
		`service "web": build.privileged needs the security.insecure entitlement, which the engine's build API cannot grant; berth builds without it`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Unsupported(BuildKit) = %q, want %q", got, want)
	}
}
