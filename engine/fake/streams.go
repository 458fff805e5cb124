package fake

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"berth/engine"
)

// pipe is an in-memory stream whose writes never block: the engine writes
// under its lock, and a slow reader must not hold it up.
type pipe struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	closed bool
}

func newPipe() *pipe {
	p := &pipe{}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *pipe) write(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.buf = append(p.buf, s...)
		p.cond.Broadcast()
	}
}

func (p *pipe) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.cond.Broadcast()
}

// Read blocks until there is data or the pipe is closed.
func (p *pipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && !p.closed {
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	return n, nil
}

// attachment is one reader of a container's live output (Attach, or Logs
// with Follow).
type attachment struct {
	out, err   *pipe
	timestamps bool
}

func (a *attachment) close() {
	a.out.close()
	a.err.close()
}

func (a *attachment) send(l logLine) {
	text := l.text
	if a.timestamps {
		text = l.time.UTC().Format(time.RFC3339Nano) + " " + text
	}
	if l.stderr {
		a.err.write(text)
	} else {
		a.out.write(text)
	}
}

// logLine is one line the container wrote.
type logLine struct {
	time   time.Time
	stderr bool
	text   string
}

// outputLocked logs what a program wrote, line by line, and passes it to
// the attached readers. With a TTY everything is stdout.
func (e *Engine) outputLocked(c *container, stderr bool, s string) {
	stderr = stderr && !c.spec.Tty
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "" {
			continue
		}
		l := logLine{time: time.Now(), stderr: stderr, text: line}
		c.logs = append(c.logs, l)
		for a := range c.attached {
			a.send(l)
		}
	}
}

// stream makes a Stream of a, registered with c until c's run ends, the
// caller closes it or ctx is done.
func (e *Engine) streamLocked(ctx context.Context, c *container, a *attachment, live bool) engine.Stream {
	detach := func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(c.attached, a)
		a.close()
		return nil
	}
	if live {
		c.attached[a] = struct{}{}
		stop := context.AfterFunc(ctx, func() { _ = detach() })
		return engine.Stream{Stdout: a.out, Stderr: a.err, Close: func() error { stop(); return detach() }}
	}
	a.close()
	return engine.Stream{Stdout: a.out, Stderr: a.err, Close: func() error { return nil }}
}

// Attach streams the container's output from now on, until its run ends.
func (e *Engine) Attach(ctx context.Context, id string) (engine.Stream, error) {
	c, err := e.lockContainer(ctx, "Attach", id)
	if err != nil {
		return engine.Stream{}, err
	}
	defer e.mu.Unlock()
	a := &attachment{out: newPipe(), err: newPipe()}
	return e.streamLocked(ctx, c, a, true), nil
}

// Logs streams what the container logged (Tail, Since, Until and
// Timestamps honoured); with Follow, also what it writes until its run
// ends.
func (e *Engine) Logs(ctx context.Context, id string, opts engine.LogOptions) (engine.Stream, error) {
	c, err := e.lockContainer(ctx, "Logs", id)
	if err != nil {
		return engine.Stream{}, err
	}
	defer e.mu.Unlock()
	lines, err := selectLines(c.logs, opts, time.Now())
	if err != nil {
		return engine.Stream{}, wrap("container", id, err)
	}
	a := &attachment{out: newPipe(), err: newPipe(), timestamps: opts.Timestamps}
	for _, l := range lines {
		a.send(l)
	}
	return e.streamLocked(ctx, c, a, opts.Follow && c.running() && opts.Until == ""), nil
}

// selectLines applies Since, Until and Tail.
func selectLines(logs []logLine, opts engine.LogOptions, now time.Time) ([]logLine, error) {
	since, err := logTime(opts.Since, now)
	if err != nil {
		return nil, err
	}
	until, err := logTime(opts.Until, now)
	if err != nil {
		return nil, err
	}
	var out []logLine
	for _, l := range logs {
		if (since.IsZero() || !l.time.Before(since)) && (until.IsZero() || l.time.Before(until)) {
			out = append(out, l)
		}
	}
	if n, err := strconv.Atoi(opts.Tail); err == nil && n >= 0 && n < len(out) {
		out = out[len(out)-n:]
	}
	return out, nil
}

// logTime reads a since/until value: a duration back from now ("10m"), an
// RFC 3339 time or Unix seconds.
func logTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(0, int64(f*1e9)), nil
	}
	return time.Time{}, plain("invalid value for time: %q", s)
}
