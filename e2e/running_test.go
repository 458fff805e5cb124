package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// running is a berth process the test talks to while it runs (attached up,
// logs -f, an up to interrupt). One of its streams arrives line by line, so
// the test waits for a line instead of sleeping: stdout (start) for what
// the containers print, stderr (background) for progress. The other stream
// is kept whole in rest.
type running struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	out   []string // the watched stream so far
	rest  bytes.Buffer
	done  chan error
	// patience is how long waitLine waits for its lines; 0 is 60 s. A
	// test whose first lines follow an up on a busy engine raises it.
	patience time.Duration
}

// start runs berth without waiting for it and watches its stdout.
func (p *project) start(args ...string) *running {
	p.t.Helper()
	return p.spawn(false, args...)
}

// background runs berth without waiting for it and watches its progress
// (stderr).
func (p *project) background(args ...string) *running {
	p.t.Helper()
	return p.spawn(true, args...)
}

// spawn starts berth; the process is killed at cleanup if still running.
func (p *project) spawn(progress bool, args ...string) *running {
	p.t.Helper()
	cmd := p.command(args...)
	r := &running{t: p.t, cmd: cmd, lines: make(chan string, 1024), done: make(chan error, 1)}
	var watched io.Reader
	var err error
	if progress {
		cmd.Stdout = &r.rest
		watched, err = cmd.StderrPipe()
	} else {
		cmd.Stderr = &r.rest
		watched, err = cmd.StdoutPipe()
	}
	if err != nil {
		p.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go r.read(watched)
	p.t.Cleanup(func() { _ = cmd.Process.Kill(); <-r.done })
	return r
}

func (r *running) read(stream io.Reader) {
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		r.mu.Lock()
		r.out = append(r.out, sc.Text())
		r.mu.Unlock()
		select {
		case r.lines <- sc.Text():
		default: // nobody waits for lines now; out keeps them
		}
	}
	close(r.lines)
	r.done <- r.cmd.Wait()
	close(r.done)
}

// waitLine reads lines until each of res has matched one, in any order.
func (r *running) waitLine(res ...string) {
	r.t.Helper()
	var rxs []*regexp.Regexp
	for _, re := range res {
		rxs = append(rxs, regexp.MustCompile(re))
	}
	patience := r.patience
	if patience == 0 {
		patience = 60 * time.Second
	}
	timeout := time.After(patience)
	for len(rxs) > 0 {
		select {
		case l, ok := <-r.lines:
			if !ok {
				r.t.Fatalf("berth ended before lines matching %q:\n%s\nother stream:\n%s", res, r.output(), r.rest.String())
			}
			for i, rx := range rxs {
				if rx.MatchString(l) {
					rxs = append(rxs[:i], rxs[i+1:]...)
					break
				}
			}
		case <-timeout:
			r.t.Fatalf("no lines matching %q within %s:\n%s\nother stream:\n%s", res, patience, r.output(), r.rest.String())
		}
	}
}

// wait waits at most limit for berth to exit and returns its exit code.
func (r *running) wait(limit time.Duration) int {
	r.t.Helper()
	go func() {
		for range r.lines { // drain: read never blocks on the channel
		}
	}()
	select {
	case err := <-r.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		} else if err != nil {
			r.t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		r.t.Fatalf("berth did not exit within %s:\n%s\nother stream:\n%s", limit, r.output(), r.rest.String())
	}
	return -1
}

// output is the watched stream so far.
func (r *running) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.out, "\n")
}

func (r *running) signal(sig os.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

// count is how many lines of out match re.
func count(out, re string) int {
	return len(regexp.MustCompile("(?m)"+re).FindAllString(out, -1))
}
