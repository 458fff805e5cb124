package enginetest

import (
	"errors"
	"testing"

	"berth/engine"
)

func execCases() []testCase {
	return []testCase{
		{"ExecOutputAndExitCode", testExecOutput},
		{"ExecSeesContainerFiles", testExecFiles},
		{"ExecInStoppedContainerFails", testExecStopped},
	}
}

// execRun runs cmd in container id, attached, and returns its output and
// exit code.
func (c *env) execRun(t *testing.T, id string, cmd ...string) (stdout, stderr string, code int) {
	t.Helper()
	x := c.eng.Exec()
	if x == nil {
		t.Fatal("engine has no exec")
	}
	spec := engine.ExecSpec{Cmd: cmd}
	xid, err := x.ExecCreate(c.ctx(t), id, spec)
	if err != nil {
		t.Fatalf("exec create: %v", err)
	}
	conn, err := x.ExecStart(c.ctx(t), xid, spec)
	if err != nil {
		t.Fatalf("exec start: %v", err)
	}
	closeStream(t, conn.Stream)
	stdout, stderr = c.readBoth(t, "exec", conn.Stream)
	running, code, err := x.ExecInspect(c.ctx(t), xid)
	if err != nil || running {
		t.Fatalf("exec inspect after the end of its output: running %v, %v", running, err)
	}
	return stdout, stderr, code
}

func testExecOutput(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "sleep", "inf"))
	c.start(t, id)
	stdout, stderr, code := c.execRun(t, id, "sh", "-c", "echo out; echo err >&2; exit 3")
	if stdout != "out\n" || stderr != "err\n" || code != 3 {
		t.Errorf("exec: stdout %q stderr %q code %d, want %q %q 3", stdout, stderr, code, "out\n", "err\n")
	}
}

func testExecFiles(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "sleep", "inf"))
	c.start(t, id)
	if _, _, code := c.execRun(t, id, "sh", "-c", "echo hook >> /tmp/mark"); code != 0 {
		t.Fatalf("exec write: exit %d", code)
	}
	if stdout, _, code := c.execRun(t, id, "cat", "/tmp/mark"); stdout != "hook\n" || code != 0 {
		t.Errorf("exec read: %q, exit %d", stdout, code)
	}
}

func testExecStopped(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "sleep", "inf"))
	_, err := c.eng.Exec().ExecCreate(c.ctx(t), id, engine.ExecSpec{Cmd: []string{"true"}})
	if err == nil {
		t.Fatal("exec in a container that never started: no error")
	}
	if errors.Is(err, engine.ErrExists) || errors.Is(err, engine.ErrNotFound) {
		t.Errorf("exec in a stopped container: %v matches a sentinel; it is neither", err)
	}
}
