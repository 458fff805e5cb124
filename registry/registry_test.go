package registry

import (
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestParseRef(t *testing.T) {
	const digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001"
	for _, tc := range []struct {
		in, full, familiar, host, tag, dgst string
	}{
		{"redis", "docker.io/library/redis:latest", "redis:latest", "docker.io", "latest", ""},
		{"docker.io/library/redis:7", "docker.io/library/redis:7", "redis:7", "docker.io", "7", ""},
		{"bitnami/redis", "docker.io/bitnami/redis:latest", "bitnami/redis:latest", "docker.io", "latest", ""},
		{"127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1", "127.0.0.1:5000", "v1", ""},
		{"localhost/app", "localhost/app:latest", "localhost/app:latest", "localhost", "latest", ""},
		{"ghcr.io/o/app@" + digest, "ghcr.io/o/app@" + digest, "ghcr.io/o/app@" + digest, "ghcr.io", "", digest},
	} {
		r, err := ParseRef(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		got := []string{r.String(), r.Familiar(), r.Host(), r.Tag(), r.Digest()}
		want := []string{tc.full, tc.familiar, tc.host, tc.tag, tc.dgst}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %q, want %q", tc.in, got, want)
		}
	}
	for _, bad := range []string{"Redis", "app:", "a@sha256:12"} {
		if _, err := ParseRef(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: got %v, want an error naming it", bad, err)
		}
	}
}

func TestNeedsPull(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	fresh := Local{Present: true, Pulled: now.Add(-time.Hour)}
	old := Local{Present: true, Pulled: now.Add(-48 * time.Hour)}
	for _, tc := range []struct {
		policy, override string
		local            Local
		want             string // "" means no pull
	}{
		{"", "", Local{}, "missing"},
		{"", "", fresh, ""},
		{"if_not_present", "", Local{}, "missing"},
		{"missing", "always", fresh, "pull_policy: always"},
		{"always", "", fresh, "pull_policy: always"},
		{"always", "never", Local{}, ""},
		{"never", "", Local{}, ""},
		{"build", "", Local{}, ""},
		{"daily", "", fresh, ""},
		{"daily", "", old, "pull_policy: daily, last pulled 2026-11-29T12:00:00Z"},
		{"weekly", "", old, ""},
		{"every_12h", "", old, "pull_policy: every_12h, last pulled 2026-11-29T12:00:00Z"},
		{"every_12h", "", Local{Present: true}, "pull_policy: every_12h, never pulled"},
		{"every_12h", "", Local{}, "missing"},
	} {
		s := types.ServiceConfig{Name: "web"}
		s.PullPolicy = tc.policy
		p, err := ServicePolicy(s, tc.override)
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		pull, why := p.NeedsPull(tc.local, now)
		if got := map[bool]string{true: why}[pull]; got != tc.want {
			t.Errorf("%s (--pull %q) with %+v: got %q, want %q", tc.policy, tc.override, tc.local, got, tc.want)
		}
	}
	bad := types.ServiceConfig{Name: "web"}
	bad.PullPolicy = "sometimes"
	if _, err := ServicePolicy(bad, ""); err == nil || !strings.Contains(err.Error(), `service "web"`) {
		t.Errorf("bad policy: got %v", err)
	}
}

// writeConfig writes a docker config.json into a new DOCKER_CONFIG dir.
func writeConfig(t *testing.T, body string) []string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"DOCKER_CONFIG=" + dir, "HOME=" + t.TempDir()}
}

func TestCredentialsFromAuths(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("alice:pw1"))
	env := writeConfig(t, `{"auths": {
		"127.0.0.1:5000": {"auth": "`+basic+`"},
		"https://index.docker.io/v1/": {"auth": "`+base64.StdEncoding.EncodeToString([]byte("hubber:pw2"))+`"},
		"ghcr.io": {"identitytoken": "tok3"}}}`)
	c := NewCredentials(env)
	for host, want := range map[string]string{
		"127.0.0.1:5000":       "alice pw1 ",
		"docker.io":            "hubber pw2 ",
		"index.docker.io":      "hubber pw2 ",
		"registry-1.docker.io": "hubber pw2 ",
		"ghcr.io":              "  tok3",
	} {
		a, err := c.For(host)
		if err != nil || a == nil {
			t.Fatalf("%s: %v, %v", host, a, err)
		}
		if got := a.Username + " " + a.Password + " " + a.IdentityToken; got != want {
			t.Errorf("%s: got %q, want %q", host, got, want)
		}
	}
	if a, err := c.For("quay.io"); a != nil || err != nil {
		t.Errorf("quay.io: got %+v, %v, want no login", a, err)
	}
}

func TestCredentialsMissingConfig(t *testing.T) {
	c := NewCredentials([]string{"DOCKER_CONFIG=" + t.TempDir()})
	if a, err := c.For("docker.io"); a != nil || err != nil {
		t.Errorf("got %+v, %v, want no login", a, err)
	}
}

func TestCredentialsMalformedConfig(t *testing.T) {
	c := NewCredentials(writeConfig(t, `{"auths": [`))
	if _, err := c.For("docker.io"); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("got %v, want an error naming config.json", err)
	}
}

// helperOnPath puts a docker-credential-<name> script on PATH.
func helperOnPath(t *testing.T, name, script string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-"+name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestCredentialsFromHelpers(t *testing.T) {
	helperOnPath(t, "berthtest", `read host
[ "$1" = get ] || exit 1
echo "{\"ServerURL\":\"$host\",\"Username\":\"helper-user\",\"Secret\":\"helper-pw\"}"
`)
	helperOnPath(t, "broken", `echo "the keychain is locked" >&2; echo "the keychain is locked"; exit 1
`)
	c := NewCredentials(writeConfig(t, `{"credsStore": "berthtest", "credHelpers": {"bad.example:5000": "broken"}}`))
	a, err := c.For("127.0.0.1:5000")
	if err != nil || a == nil || a.Username != "helper-user" || a.Password != "helper-pw" {
		t.Fatalf("credsStore: got %+v, %v", a, err)
	}
	_, err = c.For("bad.example:5000")
	if err == nil || !strings.Contains(err.Error(), "docker-credential-broken") || !strings.Contains(err.Error(), "keychain is locked") {
		t.Errorf("failing helper: got %v, want an error naming the helper and its words", err)
	}
}

// The proxies entry for the engine's host wins over default; each set
// variable comes in both cases, as the docker CLI passes them.
func TestProxies(t *testing.T) {
	c := NewCredentials(writeConfig(t, `{"proxies": {
		"default": {"httpProxy": "http://def:3128", "noProxy": "localhost"},
		"tcp://remote:2376": {"httpsProxy": "http://remote:3129", "ftpProxy": "ftp://remote", "allProxy": "socks5://remote"}}}`))
	got, err := c.Proxies("unix:///var/run/docker.sock")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"HTTP_PROXY": "http://def:3128", "http_proxy": "http://def:3128", "NO_PROXY": "localhost", "no_proxy": "localhost"}
	if !maps.Equal(got, want) {
		t.Errorf("default: got %v, want %v", got, want)
	}
	got, _ = c.Proxies("tcp://remote:2376")
	want = map[string]string{"HTTPS_PROXY": "http://remote:3129", "https_proxy": "http://remote:3129", "FTP_PROXY": "ftp://remote", "ftp_proxy": "ftp://remote",
		"ALL_PROXY": "socks5://remote", "all_proxy": "socks5://remote"}
	if !maps.Equal(got, want) {
		t.Errorf("per host: got %v, want %v", got, want)
	}
	if got, err := NewCredentials([]string{"DOCKER_CONFIG=" + t.TempDir()}).Proxies("x"); got != nil || err != nil {
		t.Errorf("no config: got %v, %v", got, err)
	}
}
