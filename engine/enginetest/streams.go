package enginetest

import (
	"io"
	"testing"

	"berth/engine"
)

func streamCases() []testCase {
	return []testCase{
		{"AttachBeforeStartSeesFirstLine", testAttach},
		{"LogsOfExitedContainer", testLogs},
		{"LogsTail", testLogsTail},
		{"LogsFollowUntilExit", testLogsFollow},
	}
}

// readBoth reads a stream's stdout and stderr to their ends within the case's
// timeout.
func (c *env) readBoth(t *testing.T, what string, s engine.Stream) (stdout, stderr string) {
	t.Helper()
	if s.Stdout == nil || s.Stderr == nil {
		t.Fatalf("%s: stream without stdout or stderr", what)
	}
	type result struct {
		b   []byte
		err error
	}
	outc, errc := make(chan result, 1), make(chan result, 1)
	read := func(r io.Reader, to chan<- result) {
		b, err := io.ReadAll(r)
		to <- result{b, err}
	}
	go read(s.Stdout, outc)
	go read(s.Stderr, errc)
	ctx := c.ctx(t)
	var got [2]string
	for i, ch := range []chan result{outc, errc} {
		select {
		case res := <-ch:
			if res.err != nil {
				t.Fatalf("%s: read: %v", what, res.err)
			}
			got[i] = string(res.b)
		case <-ctx.Done():
			t.Fatalf("%s: no end of stream within %v", what, c.cfg.Timeout)
		}
	}
	return got[0], got[1]
}

func closeStream(t *testing.T, s engine.Stream) {
	t.Cleanup(func() {
		if s.Close != nil {
			_ = s.Close() // the stream may have ended already
		}
	})
}

func testAttach(t *testing.T, c *env) {
	id := c.create(t, c.spec("job", "sh", "-c", "echo first; echo oops >&2; echo second"))
	s, err := c.eng.Attach(c.ctx(t), id)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	closeStream(t, s)
	c.start(t, id)
	stdout, stderr := c.readBoth(t, "attach", s)
	if stdout != "first\nsecond\n" || stderr != "oops\n" {
		t.Errorf("attached: stdout %q stderr %q, want %q and %q", stdout, stderr, "first\nsecond\n", "oops\n")
	}
}

func testLogs(t *testing.T, c *env) {
	id, code := c.run(t, c.spec("job", "sh", "-c", "echo hello; echo world; echo bad >&2"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	s, err := c.eng.Logs(c.ctx(t), id, engine.LogOptions{Tail: "all"})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	closeStream(t, s)
	stdout, stderr := c.readBoth(t, "logs", s)
	if stdout != "hello\nworld\n" || stderr != "bad\n" {
		t.Errorf("logs: stdout %q stderr %q", stdout, stderr)
	}
}

func testLogsTail(t *testing.T, c *env) {
	id, _ := c.run(t, c.spec("job", "sh", "-c", "echo one; echo two; echo three"))
	s, err := c.eng.Logs(c.ctx(t), id, engine.LogOptions{Tail: "2"})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	closeStream(t, s)
	if got, _ := c.readBoth(t, "logs", s); got != "two\nthree\n" {
		t.Errorf("logs --tail 2: %q", got)
	}
}

func testLogsFollow(t *testing.T, c *env) {
	id := c.create(t, c.spec("job", "sh", "-c", "echo a; sleep 0.3; echo b"))
	c.start(t, id)
	s, err := c.eng.Logs(c.ctx(t), id, engine.LogOptions{Follow: true, Tail: "all"})
	if err != nil {
		t.Fatalf("logs --follow: %v", err)
	}
	closeStream(t, s)
	if got, _ := c.readBoth(t, "logs --follow", s); got != "a\nb\n" {
		t.Errorf("logs --follow: %q, want %q", got, "a\nb\n")
	}
}
