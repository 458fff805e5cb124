package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/internal/testregistry"
)

// The registry tests run berth against a real Distribution registry
// (internal/testregistry) on a loopback port, seeded with the offline test
// images under new names. Every image a test tags, pulls or builds under
// the registry's address is untagged when it ends.

// registry is one test's registry and the docker CLI config that logs in
// to it (DOCKER_CONFIG, never the user's own).
type registry struct {
	*testregistry.Registry
	t         *testing.T
	dockerCfg string
}

func startRegistry(t *testing.T, auth bool) *registry {
	t.Helper()
	requireEngine(t)
	// The registry listens on the host's loopback, which an engine in a
	// network namespace of its own cannot reach (the same gate as ports).
	requireHostPorts(t)
	r := &registry{Registry: testregistry.Start(t, testregistry.Options{Auth: auth}), t: t, dockerCfg: t.TempDir()}
	t.Cleanup(r.untagAll)
	if auth {
		r.dockerCLI("", "login", "-u", r.User, "--password-stdin", r.Addr)
	}
	return r
}

// dockerCLI runs the docker CLI with the registry's own config dir.
func (r *registry) dockerCLI(stdin string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+r.dockerCfg)
	if args[0] == "login" {
		stdin = r.Password
	}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// seed pushes the local image src as <registry>/name and drops the local
// tag, so the engine holds the layers but not the reference. It returns the
// full reference and its digest.
func (r *registry) seed(src, name string) (ref, digest string) {
	r.t.Helper()
	ref = r.Addr + "/" + name
	r.dockerCLI("", "tag", src, ref)
	out := r.dockerCLI("", "push", ref)
	i := strings.Index(out, "digest: ")
	if i < 0 {
		r.t.Fatalf("push %s reported no digest:\n%s", ref, out)
	}
	digest = strings.Fields(out[i+len("digest: "):])[0]
	r.dockerCLI("", "rmi", ref)
	return ref, digest
}

// variant builds a new image from busybox with a label, tagged ref: a
// different image ID under a name the test chooses.
func (r *registry) variant(ref, label string) {
	r.t.Helper()
	r.dockerCLI("FROM berth-test/busybox:latest\nLABEL berth.test.variant="+label+"\n", "build", "-q", "-t", ref, "-")
}

// untagAll removes every reference under the registry's address, by name:
// never by ID, which would take the offline images' own tags along.
func (r *registry) untagAll() {
	out, _ := exec.Command("docker", "image", "ls", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}").Output()
	for _, ref := range strings.Fields(string(out)) {
		if strings.HasPrefix(ref, r.Addr+"/") && !strings.HasSuffix(ref, ":<none>") && !strings.HasSuffix(ref, "@<none>") {
			_ = exec.Command("docker", "rmi", ref).Run()
		}
	}
}

// pullEvents counts the engine's pull events for ref since t0.
func pullEvents(t *testing.T, ref string, since time.Time) int {
	t.Helper()
	out := docker(t, "events", "--since", strconv.FormatInt(since.Unix(), 10), "--until", strconv.FormatInt(time.Now().Unix()+1, 10),
		"--filter", "type=image", "--filter", "event=pull", "--format", "{{.Actor.ID}}")
	n := 0
	for _, id := range out {
		if id == ref {
			n++
		}
	}
	return n
}

func TestRegistryUpPullsMissingOnceAndPullPullsAgain(t *testing.T) {
	r := startRegistry(t, false)
	ref, _ := r.seed("berth-test/busybox:latest", "shared/bb:1")
	p := newProject(t, fmt.Sprintf(`
services:
  a: {image: "%s", command: [sleep, inf], init: true}
  b: {image: "%s", command: [sleep, inf], init: true}
`, ref, ref))
	t0 := time.Now().Add(-time.Second)
	_, stderr := p.mustBerth("up", "-d")
	for _, want := range []string{" Image " + ref + " Pulling", " Image " + ref + " Pulled"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("up output lacks %q:\n%s", want, stderr)
		}
	}
	p.wantState("a", "running", "after up")
	p.wantState("b", "running", "after up")
	if n := pullEvents(t, ref, t0); n != 1 {
		t.Errorf("%d pulls of %s for two services, want 1", n, ref)
	}
	p.mustBerth("pull")
	if n := pullEvents(t, ref, t0); n != 2 {
		t.Errorf("after berth pull: %d pulls of %s, want 2", n, ref)
	}
}

func TestRegistryPushAndBuildPush(t *testing.T) {
	r := startRegistry(t, false)
	p := newProject(t, fmt.Sprintf(`
services:
  app: {image: "%s/push/app:1", build: .}
  other: {image: "%s/push/other:2", build: .}
`, r.Addr, r.Addr))
	if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte("FROM berth-test/busybox:latest\nLABEL berth.test=push\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustBerth("build", "app")
	p.mustBerth("push", "app")
	p.mustBerth("build", "--push", "other")
	ctx := context.Background()
	for name, tag := range map[string]string{"push/app": "1", "push/other": "2"} {
		tags, err := r.Tags(ctx, name)
		if err != nil || !slices.Contains(tags, tag) {
			t.Errorf("registry tags of %s: %v, %v; want %s", name, tags, err, tag)
		}
	}
}

func TestRegistryAuth(t *testing.T) {
	r := startRegistry(t, true)
	ref, _ := r.seed("berth-test/busybox:latest", "private/bb:1")
	yaml := fmt.Sprintf("services:\n  app: {image: \"%s\", command: [sleep, inf], init: true}\n", ref)

	t.Run("missing login", func(t *testing.T) {
		p := newProject(t, yaml)
		p.env = []string{"DOCKER_CONFIG=" + t.TempDir()}
		_, stderr, err := p.berth("up", "-d")
		if code := exitCode(t, err); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{`service "app"`, "pull access denied for " + ref, "docker login " + r.Addr} {
			if !strings.Contains(stderr, want) {
				t.Errorf("error lacks %q:\n%s", want, stderr)
			}
		}
		if c, n := p.containers(), p.networks(); len(c)+len(n) != 0 {
			t.Errorf("created %v and networks %v after a refused pull", c, n)
		}
	})
	t.Run("auths", func(t *testing.T) {
		p := newProject(t, yaml)
		p.env = []string{"DOCKER_CONFIG=" + r.dockerCfg} // written by docker login
		p.mustBerth("up", "-d")
		p.wantState("app", "running", "after up with a login from auths")
	})
	t.Run("credential helper", func(t *testing.T) {
		r.dockerCLI("", "rmi", ref)
		bin := t.TempDir()
		helper := fmt.Sprintf("#!/bin/sh\nread host\necho '{\"ServerURL\":\"'$host'\",\"Username\":\"%s\",\"Secret\":\"%s\"}'\n", r.User, r.Password)
		if err := os.WriteFile(filepath.Join(bin, "docker-credential-berthtest"), []byte(helper), 0o755); err != nil {
			t.Fatal(err)
		}
		cfg := t.TempDir()
		if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"credsStore":"berthtest"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		p := newProject(t, yaml)
		p.env = []string{"DOCKER_CONFIG=" + cfg, "PATH=" + bin + ":" + os.Getenv("PATH")}
		p.mustBerth("pull")
		docker(t, "image", "inspect", ref)
	})
	t.Run("failing credential helper", func(t *testing.T) {
		bin := t.TempDir()
		if err := os.WriteFile(filepath.Join(bin, "docker-credential-broken"), []byte("#!/bin/sh\necho 'keychain locked'\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		cfg := t.TempDir()
		if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"credHelpers":{"`+r.Addr+`":"broken"}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		p := newProject(t, yaml)
		p.env = []string{"DOCKER_CONFIG=" + cfg, "PATH=" + bin + ":" + os.Getenv("PATH")}
		_, stderr, err := p.berth("pull")
		if exitCode(t, err) != 1 || !strings.Contains(stderr, "docker-credential-broken") || !strings.Contains(stderr, `service "app"`) {
			t.Errorf("exit %d, stderr:\n%s\nwant 1 and an error naming the helper and the service", exitCode(t, err), stderr)
		}
	})
}

func TestRegistryPullErrors(t *testing.T) {
	r := startRegistry(t, false)
	ref, _ := r.seed("berth-test/busybox:latest", "errs/bb:1")
	missing := r.Addr + "/errs/bb:nope"

	t.Run("missing tag", func(t *testing.T) {
		p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\", command: [sleep, inf]}\n  ok: {image: \"%s\", command: [sleep, inf]}\n", missing, ref))
		_, stderr, err := p.berth("up", "-d")
		if exitCode(t, err) != 1 || !strings.Contains(stderr, `service "web"`) || !strings.Contains(stderr, missing) {
			t.Errorf("exit %d, stderr:\n%s", exitCode(t, err), stderr)
		}
		if c := p.containers(); len(c) != 0 {
			t.Errorf("created %v after a failed pull", c)
		}
	})
	t.Run("unreachable registry", func(t *testing.T) {
		p := newProject(t, "services:\n  web: {image: \"127.0.0.1:9/nothing/here:1\"}\n")
		_, stderr, err := p.berth("up", "-d")
		if exitCode(t, err) != 1 || !strings.Contains(stderr, `service "web"`) || !strings.Contains(stderr, "127.0.0.1:9/nothing/here:1") {
			t.Errorf("exit %d, stderr:\n%s", exitCode(t, err), stderr)
		}
	})
	t.Run("never with a missing image", func(t *testing.T) {
		p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\", pull_policy: never}\n", missing))
		_, stderr, err := p.berth("up", "-d")
		if exitCode(t, err) != 1 || !strings.Contains(stderr, `service "web": image "`+missing+`" not found locally and pull policy is "never"`) {
			t.Errorf("exit %d, stderr:\n%s", exitCode(t, err), stderr)
		}
	})
	t.Run("ignore pull failures", func(t *testing.T) {
		p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\"}\n  ok: {image: \"%s\"}\n", missing, ref))
		_, stderr, err := p.berth("pull", "--ignore-pull-failures")
		if err != nil || !strings.Contains(stderr, "WARN") || !strings.Contains(stderr, " Image "+ref+" Pulled") {
			t.Errorf("pull --ignore-pull-failures: %v\n%s", err, stderr)
		}
		if _, _, err := p.berth("pull"); exitCode(t, err) != 1 {
			t.Errorf("pull without --ignore-pull-failures: exit %d, want 1", exitCode(t, err))
		}
	})
	t.Run("buildable and build-only services", func(t *testing.T) {
		p := newProject(t, fmt.Sprintf("services:\n  local: {build: .}\n  web: {image: \"%s\", build: .}\n", missing))
		_, stderr, err := p.berth("pull")
		if err != nil || !strings.Contains(stderr, " local Skipped No image to be pulled") ||
			!strings.Contains(stderr, "must be built from source by running:\n    berth build web") {
			t.Errorf("pull: %v\n%s", err, stderr)
		}
	})
	t.Run("digest reference", func(t *testing.T) {
		_, digest := r.seed("berth-test/busybox:latest", "errs/digest:1")
		byDigest := r.Addr + "/errs/digest@" + digest
		p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\", command: [sleep, inf], init: true}\n", byDigest))
		p.mustBerth("up", "-d")
		p.wantState("web", "running", "after up by digest")
	})
}

func TestRegistryAlwaysRecreatesWhenTagMoves(t *testing.T) {
	r := startRegistry(t, false)
	ref, _ := r.seed("berth-test/busybox:latest", "moving/bb:1")
	p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\", pull_policy: always, command: [sleep, inf], init: true}\n", ref))
	p.mustBerth("up", "-d")
	first := p.id(p.name + "-web-1")
	_, stderr := p.mustBerth("up", "-d")
	if p.id(p.name+"-web-1") != first {
		t.Errorf("same image pulled again, yet web was recreated:\n%s", stderr)
	}
	r.variant(ref, "moved") // the tag moves to a new image
	r.dockerCLI("", "push", ref)
	r.dockerCLI("", "rmi", ref)
	_, stderr = p.mustBerth("up", "-d")
	if !strings.Contains(stderr, "Recreated (image changed)") {
		t.Errorf("after the tag moved, up said:\n%s\nwant Recreated (image changed)", stderr)
	}
	p.wantState("web", "running", "after the recreate")
}

func TestRegistryPlatform(t *testing.T) {
	r := startRegistry(t, false)
	ref, _ := r.seed("berth-test/busybox:latest", "plat/bb:1")
	arch := strings.TrimSpace(docker(t, "version", "--format", "{{.Server.Arch}}")[0])
	p := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\", platform: linux/%s, command: [sleep, inf], init: true}\n", ref, arch))
	_, stderr := p.mustBerth("up", "-d")
	if strings.Contains(stderr, "platform") {
		t.Errorf("platform warned about although applied:\n%s", stderr)
	}
	p.wantState("web", "running", "after up with platform linux/"+arch)
	other := newProject(t, fmt.Sprintf("services:\n  web: {image: \"%s\", platform: linux/s390x, pull_policy: always}\n", ref))
	_, stderr, err := other.berth("up", "-d")
	if exitCode(t, err) != 1 || !strings.Contains(stderr, `service "web"`) || !strings.Contains(stderr, "s390x") {
		t.Errorf("pull for a platform the image lacks: exit %d\n%s", exitCode(t, err), stderr)
	}
	if c := other.containers(); len(c) != 0 {
		t.Errorf("created %v after the failed pull", c)
	}
}

// TestRegistryConfigResolvesDigests: config --resolve-image-digests pins a
// tag to the digest the registry holds, with the docker CLI's login (and
// fails naming the image without one); --lock-image-digests writes an
// override that pins the project when merged over it. Nothing is pulled.
func TestRegistryConfigResolvesDigests(t *testing.T) {
	r := startRegistry(t, true)
	ref, digest := r.seed("berth-test/busybox:latest", "pin/bb:1")
	p := newProject(t, fmt.Sprintf("services:\n  app: {image: \"%s\", command: [sleep, inf]}\n", ref))
	p.env = []string{"DOCKER_CONFIG=" + r.dockerCfg}
	t0 := time.Now().Add(-time.Second)

	out, _ := p.mustBerth("config", "--resolve-image-digests")
	if want := "image: " + ref + "@" + digest + "\n"; !strings.Contains(out, want) || !strings.Contains(out, "command:") {
		t.Errorf("config --resolve-image-digests lacks %q or the rest of the model:\n%s", want, out)
	}
	out, _ = p.mustBerth("config", "--lock-image-digests")
	if want := "services:\n  app:\n    image: " + ref + "@" + digest + "\n"; out != want {
		t.Errorf("config --lock-image-digests:\n%s\nwant\n%s", out, want)
	}
	p.mustBerth("config", "--lock-image-digests", "-o", filepath.Join(p.dir, "lock.yaml"))
	out, _ = p.mustBerth("-f", "compose.yaml", "-f", "lock.yaml", "config", "--images")
	if want := ref + "@" + digest + "\n"; out != want {
		t.Errorf("merged with the lock file, the image is %q, want %q", out, want)
	}
	if n := pullEvents(t, ref, t0); n != 0 {
		t.Errorf("resolving digests pulled %s %d times", ref, n)
	}

	p.env = []string{"DOCKER_CONFIG=" + t.TempDir()}
	out, stderr, err := p.berth("config", "--resolve-image-digests")
	if exitCode(t, err) != 1 || out != "" || !strings.Contains(stderr, "failed to resolve digest for "+ref) {
		t.Errorf("without a login: exit %d, stdout %q, stderr:\n%s", exitCode(t, err), out, stderr)
	}
}
