package imagebuild

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestWithContextStages(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\nARG V=1\nFROM base\nRUN x\n"
	got, shift := withContextStages([]byte(src), []contextStage{{name: "a", image: "img-a"}, {name: "base", image: "busybox"}})
	want := "# syntax=docker/dockerfile:1\nARG V=1\nFROM img-a AS a\nFROM busybox AS base\nFROM base\nRUN x\n"
	if string(got) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
	for sent, user := range map[int]int{1: 1, 2: 2, 5: 3, 6: 4} {
		if o := shift.original(sent); o != user {
			t.Errorf("line %d maps to %d, want %d", sent, o, user)
		}
	}
}

func TestAdditionalContextsRequest(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM base\nCOPY --from=assets / /\n", "assets/a.txt": "a"})
	p := &types.Project{Name: "shop", WorkingDir: dir}
	b := &types.BuildConfig{Context: dir, AdditionalContexts: types.Mapping{
		"assets": filepath.Join(dir, "assets"), "base": "docker-image://busybox:1"}}
	req, err := NewRequest(p, service("web", b), "shop-web:2", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Contexts) != 1 || req.Contexts[0].Tags[0] != "shop-web-context-assets" || req.Contexts[0].Labels["com.docker.compose.project"] != "shop" {
		t.Fatalf("context builds %+v", req.Contexts)
	}
	want := "FROM shop-web-context-assets AS assets\nFROM busybox:1 AS base\nFROM base\nCOPY --from=assets / /\n"
	if got := string(req.dockerfile()); got != want || req.file != "Dockerfile" {
		t.Errorf("dockerfile %q (%s), want %q", got, req.file, want)
	}
	b.AdditionalContexts = types.Mapping{"x": "https://example.com/x.git"}
	if _, err := NewRequest(p, service("web", b), "shop-web", Options{}); err == nil {
		t.Error("a remote additional context was accepted")
	}
}

func TestBuildSecretsSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tok")
	if err := os.WriteFile(file, []byte("from-file"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &types.Project{Environment: types.Mapping{"API_TOKEN": "from-env"}, Secrets: types.Secrets{
		"tok": {File: file}, "api": {Environment: "API_TOKEN"}, "gone": {File: filepath.Join(dir, "missing")}}}
	store, err := buildSecrets(p, []types.ServiceSecretConfig{{Source: "tok"}, {Source: "api", Target: "api_id"}}, []string{"id=flag,src=" + file})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"tok": "from-file", "api_id": "from-env", "flag": "from-file"} {
		got, err := store.GetSecret(context.Background(), id)
		if err != nil || string(got) != want {
			t.Errorf("secret %s = %q, %v; want %q", id, got, err, want)
		}
	}
	if _, err := buildSecrets(p, []types.ServiceSecretConfig{{Source: "gone"}}, nil); err == nil {
		t.Error("a secret whose file is missing was accepted")
	}
	if _, err := buildSecrets(p, nil, []string{"src=" + file}); err == nil {
		t.Error("a --secret without id was accepted")
	}
}
