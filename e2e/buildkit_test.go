package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The BuildKit tests run on the engine's built-in BuildKit, berth's default
// builder. Their stages leave no untagged images (BuildKit keeps them in
// its own cache); what they tag carries the project label.

// stepSeconds is how long the numbered step whose name holds name ran, from
// the plain progress ("#5 [2/2] RUN …" … "#5 DONE 3.1s").
func stepSeconds(t *testing.T, out, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`#(\d+) \[[^\]]*\] ` + regexp.QuoteMeta(name)).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no step %q in the output:\n%s", name, out)
	}
	d := regexp.MustCompile(`#` + m[1] + ` DONE ([0-9.]+)s`).FindStringSubmatch(out)
	if d == nil {
		t.Fatalf("step #%s (%s) did not finish:\n%s", m[1], name, out)
	}
	secs, _ := strconv.ParseFloat(d[1], 64)
	return secs
}

func TestBuildKitCacheMountSpeedsSecondBuild(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		// The step runs again each build (BUST changes); the cache mount
		// keeps what the first run left, so the second skips the slow part.
		"Dockerfile": "FROM berth-test/busybox:latest\nARG BUST\n" +
			"RUN --mount=type=cache,id=%p,target=/cache if [ -f /cache/warm ]; then echo warm $(cat /cache/warm); else sleep 6; echo $BUST > /cache/warm; echo cold; fi\n",
	})
	first := p.build("--build-arg", "BUST=one")
	if !strings.Contains(first, "building with BuildKit") || !strings.Contains(first, "cold") {
		t.Fatalf("the first build did not run the cold step on BuildKit:\n%s", first)
	}
	second := p.build("--build-arg", "BUST=two")
	if !strings.Contains(second, "warm one") {
		t.Fatalf("the cache mount's content did not persist to the second build:\n%s", second)
	}
	cold, warm := stepSeconds(t, first, "RUN --mount=type=cache"), stepSeconds(t, second, "RUN --mount=type=cache")
	t.Logf("step with the cache mount: %.1fs cold, %.1fs warm", cold, warm)
	if warm >= cold {
		t.Errorf("the warm step took %.1fs, the cold one %.1fs: want it faster", warm, cold)
	}
}

func TestBuildKitRunsIndependentStagesConcurrently(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		"Dockerfile": "FROM berth-test/busybox:latest AS left\nRUN sleep 2 && echo left > /left\n" +
			"FROM berth-test/busybox:latest AS right\nRUN sleep 2 && echo right > /right\n" +
			"FROM berth-test/busybox:latest\nCOPY --from=left /left /\nCOPY --from=right /right /\n",
	})
	out := p.build("--no-cache")
	// Each stage's step starts before the other's is done: the trace
	// announces a step when it starts and says DONE when it completes.
	num := func(stage string) string {
		m := regexp.MustCompile(`#(\d+) \[` + stage + ` 2/2\]`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no step of stage %s:\n%s", stage, out)
		}
		return m[1]
	}
	left, right := num("left"), num("right")
	pos := func(re string) int { return regexp.MustCompile(re).FindStringIndex(out)[0] }
	startL, startR := pos(`#`+left+` \[left`), pos(`#`+right+` \[right`)
	doneL, doneR := pos(`#`+left+` DONE`), pos(`#`+right+` DONE`)
	if startR > doneL || startL > doneR {
		t.Errorf("the stages ran one after the other (left #%s, right #%s):\n%s", left, right, out)
	}
	if got := p.run(p.name+"-app", "cat", "/left", "/right"); got != "left\nright\n" {
		t.Errorf("the image holds %q", got)
	}
}

func TestBuildKitSecretNeverInImage(t *testing.T) {
	const value = "s3cr3t-value-4711"
	p := newBuildProject(t, map[string]string{
		"compose.yaml": `
services:
  app:
    build:
      context: .
      secrets: [token]
secrets:
  token:
    file: ./token.txt
`,
		"token.txt":     value,
		".dockerignore": "token.txt\n",
		"Dockerfile": "FROM berth-test/busybox:latest\n" +
			"RUN --mount=type=secret,id=token test \"$(cat /run/secrets/token)\" = " + value + " && echo secret-readable\n",
	})
	out := p.build()
	if !strings.Contains(out, "secret-readable") {
		t.Fatalf("the RUN step could not read the secret:\n%s", out)
	}
	// the RUN line names the value, as the test's Dockerfile does; the
	// image's content, labels and history must not hold the secret file's
	// path nor the step's output.
	img := p.name + "-app"
	if got := p.run(img, "sh", "-c", "ls /run/secrets 2>/dev/null; grep -rl "+value+" /etc /root /home 2>/dev/null; true"); strings.TrimSpace(got) != "" {
		t.Errorf("the image holds the secret: %q", got)
	}
	inspect := strings.Join(docker(t, "image", "inspect", img), "\n")
	if strings.Contains(inspect, "token.txt") || strings.Contains(inspect, "secret-readable") {
		t.Errorf("the image's config mentions the secret:\n%s", inspect)
	}
	// the CLI flag: the same secret from the environment
	p.env = append(p.env, "TOKEN_ENV="+value)
	p.writeFiles(map[string]string{"Dockerfile": "FROM berth-test/busybox:latest\n" +
		"RUN --mount=type=secret,id=tok test \"$(cat /run/secrets/tok)\" = " + value + " && echo flag-secret-readable\n"})
	if out := p.build("--secret", "id=tok,env=TOKEN_ENV"); !strings.Contains(out, "flag-secret-readable") {
		t.Errorf("--secret did not reach the build:\n%s", out)
	}
}

// sshBuildCompose builds app with the default ssh agent forwarded.
const sshBuildCompose = `
services:
  app:
    build:
      context: .
      ssh: [default]
`

func TestBuildKitSSHForwarding(t *testing.T) {
	if _, err := exec.LookPath("ssh-agent"); err != nil {
		t.Fatalf("ssh-agent is missing (apt-get install openssh-client): %v", err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	// Without -D the agent forks once its socket listens and prints its pid.
	started, err := exec.Command("ssh-agent", "-s", "-a", sock).Output()
	if err != nil {
		t.Fatalf("ssh-agent: %v", err)
	}
	m := regexp.MustCompile(`SSH_AGENT_PID=(\d+)`).FindSubmatch(started)
	if m == nil {
		t.Fatalf("ssh-agent printed no pid: %s", started)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	t.Cleanup(func() {
		if proc, err := os.FindProcess(pid); err == nil {
			_ = proc.Kill()
		}
	})
	key := filepath.Join(t.TempDir(), "id")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "berth-test", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	add := exec.Command("ssh-add", key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}

	p := newBuildProject(t, map[string]string{
		"compose.yaml": sshBuildCompose,
		// The agent answers a list-identities request (SSH_AGENTC_REQUEST_IDENTITIES,
		// type 11) with its one key, whose comment is "berth-test". The client
		// reads the whole answer (its length comes first) before it closes: a
		// half-close right after the request may end the forwarded stream
		// before the answer comes back.
		"Dockerfile": "FROM berth-test/node:latest\n" +
			"RUN --mount=type=ssh node -e \"const c=require('net').connect(process.env.SSH_AUTH_SOCK);" +
			"c.write(Buffer.from([0,0,0,1,11]));let b=Buffer.alloc(0);" +
			"c.on('data',d=>{b=Buffer.concat([b,d]);if(b.length>=4&&b.length>=4+b.readUInt32BE(0)){" +
			"if(!b.toString('latin1').includes('berth-test'))process.exit(1);console.log('agent-answered');c.destroy()}});" +
			"c.on('close',()=>{if(!b.length)process.exit(1)})\"\n",
	})
	p.env = append(p.env, "SSH_AUTH_SOCK="+sock)
	if out := p.build(); !strings.Contains(out, "agent-answered") {
		t.Errorf("the build did not reach the ssh agent:\n%s", out)
	}
}

func TestBuildKitAdditionalContexts(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": `
services:
  app:
    build:
      context: .
      additional_contexts:
        assets: ./assets
        base: docker-image://berth-test/busybox:latest
`,
		"assets/hello.txt": "from the assets context\n",
		"Dockerfile": "ARG GREETING=hi\nFROM base\nCOPY --from=assets /hello.txt /hello.txt\n" +
			"RUN --mount=from=assets,target=/a cat /a/hello.txt\n",
	})
	out := p.build("--no-cache") // the step's output, even when an earlier run cached it
	if !strings.Contains(out, "from the assets context") {
		t.Errorf("the RUN --mount=from=assets step did not see the context:\n%s", out)
	}
	if got := p.run(p.name+"-app", "cat", "/hello.txt"); got != "from the assets context\n" {
		t.Errorf("COPY --from=assets gave %q", got)
	}
	// a failure is still named by the user's Dockerfile line
	p.writeFiles(map[string]string{"Dockerfile": "FROM base\nRUN --mount=from=assets,target=/a exit 4\n"})
	out, err := p.tryBuild()
	if err == nil || !strings.Contains(out, "build failed at Dockerfile:2: RUN --mount=from=assets,target=/a exit 4") {
		t.Errorf("err %v, want the failure at Dockerfile:2:\n%s", err, out)
	}
}

func TestBuildClassicFallback(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": sshBuildCompose,
		"Dockerfile":   "FROM berth-test/busybox:latest\nRUN echo classic > /how\n",
	})
	p.env = append(p.env, "DOCKER_BUILDKIT=0", "SSH_AUTH_SOCK=/nonexistent")
	out := p.build()
	for _, want := range []string{"building with the classic builder", "Step 2/4 : RUN echo classic", `build.ssh needs BuildKit; the classic builder ignores it`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	p.writeFiles(map[string]string{"Dockerfile": "FROM berth-test/busybox:latest\nRUN --mount=type=cache,target=/c true\n"})
	if out, err := p.tryBuild(); err == nil || !strings.Contains(out, "BuildKit") {
		t.Errorf("a --mount step built on the classic builder (err %v):\n%s", err, out)
	}
}

func TestBuildKitSyntaxErrors(t *testing.T) {
	p := newBuildProject(t, map[string]string{
		"compose.yaml": buildTestCompose,
		"Dockerfile":   "FROM berth-test/busybox:latest\nRUN true\nFOO bar\n",
	})
	out, err := p.tryBuild()
	if err == nil || !strings.Contains(out, `service "app": build: Dockerfile:3: unknown instruction: FOO`) {
		t.Errorf("err %v, want the parse error at Dockerfile:3:\n%s", err, out)
	}
	p.writeFiles(map[string]string{"Dockerfile": "# syntax=berth-test.invalid/dockerfile:1\nFROM berth-test/busybox:latest\n"})
	out, err = p.tryBuild()
	if err == nil || !strings.Contains(out, `Dockerfile:1: the "# syntax=berth-test.invalid/dockerfile:1" directive needs the frontend image`) ||
		!strings.Contains(out, "remove the directive") {
		t.Errorf("err %v, want the unreachable frontend named:\n%s", err, out)
	}
}
