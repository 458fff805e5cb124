package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// withTestProvider builds testdata/provider as the executable berth-test-db
// on a PATH of the project's own, and logs its runs to the file it returns.
func (p *project) withTestProvider() (log string) {
	p.t.Helper()
	bin := p.t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "berth-test-db"), "./testdata/provider")
	if out, err := build.CombinedOutput(); err != nil {
		p.t.Fatalf("build the test provider: %v\n%s", err, out)
	}
	log = filepath.Join(p.t.TempDir(), "provider.log")
	p.env = append(p.env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "BERTH_PROVIDER_LOG="+log)
	return log
}

func readLog(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

const provided = `
services:
  app:
    image: berth-test/busybox:latest
    command: sleep 1000
    init: true
    environment:
      REGION: local
      KEEP: me
    depends_on: [db]
  db:
    provider:
      type: berth-test-db
      options:
        region: eu-west
        tier: small
        ignored: dropped-by-metadata
`

// TestProviderLifecycle: up runs the provider before its dependent, which
// gets DB_ENDPOINT (setenv, prefixed) and REGION (rawsetenv, replacing its
// own with a warning); stop and down run the provider's stop and down.
func TestProviderLifecycle(t *testing.T) {
	p := newProject(t, provided)
	log := p.withTestProvider()

	plan, _ := p.mustBerth("up", "-d", "--dry-run")
	if !strings.Contains(plan, "provider-up db (provider service)") || !regexp.MustCompile(`create \S+-app-1 \(not found\) after #\d+,#1`).MatchString(plan) {
		t.Errorf("the plan must show the provider's run and the create after it:\n%s", plan)
	}
	_, stderr := p.mustBerth("up", "-d")
	if !strings.Contains(stderr, `provider "db" overrides environment variable "REGION" in service "app"`) {
		t.Errorf("no warning about the replaced REGION:\n%s", stderr)
	}
	if !strings.Contains(stderr, "Provider db Created") {
		t.Errorf("no progress of the provider:\n%s", stderr)
	}
	env := docker(t, "inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", p.name+"-app-1")
	for _, want := range []string{"DB_ENDPOINT=https://db." + p.name + ".example", "REGION=eu-west", "KEEP=me"} {
		if !slices.Contains(env, want) {
			t.Errorf("app's environment lacks %s: %q", want, env)
		}
	}
	if slices.Contains(env, "REGION=local") {
		t.Errorf("app kept its own REGION: %q", env)
	}

	p.mustBerth("stop")
	p.mustBerth("down")
	want := []string{
		"--project-name=" + p.name + " up --region=eu-west --tier=small db",
		"--project-name=" + p.name + " stop db",
		"--project-name=" + p.name + " down db",
	}
	if got := readLog(t, log); !slices.Equal(got, want) {
		t.Errorf("provider runs:\n%q\nwant\n%q", got, want)
	}
	if left := p.containers(); len(left) != 0 {
		t.Errorf("down left %v", left)
	}
}

// TestProviderErrorStopsDependents: a provider's error message fails up,
// shown with the provider's words, and its dependents are not created.
func TestProviderErrorStopsDependents(t *testing.T) {
	p := newProject(t, strings.Replace(provided, "tier: small", "fail: no-capacity", 1))
	p.withTestProvider()
	_, stderr, err := p.berth("up", "-d")
	if err == nil {
		t.Fatalf("up succeeded despite the provider's error:\n%s", stderr)
	}
	if !strings.Contains(stderr, `service "db": provider "berth-test-db": quota exceeded: no-capacity`) {
		t.Errorf("the provider's error is not shown:\n%s", stderr)
	}
	if left := p.containers(); len(left) != 0 {
		t.Errorf("the dependent was created anyway: %v", left)
	}
}

// TestProviderMissingRequiredOption: an option the provider's metadata
// requires must be set, else up fails naming it, before the provider runs.
func TestProviderMissingRequiredOption(t *testing.T) {
	p := newProject(t, strings.Replace(provided, "region: eu-west", "zone: a", 1))
	log := p.withTestProvider()
	_, stderr, err := p.berth("up", "-d")
	if err == nil || !strings.Contains(stderr, `required parameter "region" is missing from provider "berth-test-db" definition`) {
		t.Fatalf("up must fail on the missing region: %v\n%s", err, stderr)
	}
	if got := readLog(t, log); len(got) != 1 || got[0] != "" {
		t.Errorf("the provider ran: %q", got)
	}
}
