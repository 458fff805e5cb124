package docker

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
)

// DefaultAnswerTimeout is how long berth waits for the engine to begin
// answering a call once the request is sent: its response headers. An
// engine that accepts connections but never answers (hung, or frozen
// mid-restart) would otherwise keep berth waiting forever. It bounds every
// call that goes through the client's transport, cleanup calls included,
// streams only up to their first byte (the engine sends the headers of
// events, logs and waits at once), and leaves uploads out (the clock
// starts when the request body is sent). BERTH_ENGINE_TIMEOUT changes it.
const DefaultAnswerTimeout = 2 * time.Minute

// HungError is a call the engine did not begin to answer in time.
type HungError struct {
	Call  string // "POST /containers/create"
	After time.Duration
}

func (e *HungError) Error() string {
	return fmt.Sprintf("the engine did not answer %s within %s (hung? set BERTH_ENGINE_TIMEOUT to wait longer)", e.Call, e.After)
}

// answerDeadline is the transport that holds every call to its deadline.
type answerDeadline struct {
	base  http.RoundTripper
	limit time.Duration
}

// RoundTrip sends req and waits for the response headers until the
// deadline; the body of the answer is then read without one.
func (t *answerDeadline) RoundTrip(req *http.Request) (*http.Response, error) {
	limit := t.limit + stopAllowance(req)
	hung := &HungError{Call: req.Method + " " + apiPath(req.URL.Path), After: limit}
	ctx, cancel := context.WithCancelCause(req.Context())
	arm := newAlarm(limit, func() { cancel(hung) })
	out := req.WithContext(ctx)
	if req.Body == nil || req.Body == http.NoBody {
		arm.start()
	} else {
		out.Body = &armOnEOF{ReadCloser: req.Body, arm: arm}
	}
	resp, err := t.base.RoundTrip(out)
	fired := !arm.stop()
	if fired {
		if resp != nil {
			resp.Body.Close()
		}
		cancel(nil)
		return nil, hung
	}
	if err != nil {
		cancel(nil)
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

// stopAllowance is the grace a stop or restart call gives the container:
// the engine answers only once the container is down.
func stopAllowance(req *http.Request) time.Duration {
	for _, key := range []string{"t", "timeout"} {
		if s := req.URL.Query().Get(key); s != "" {
			if n, err := strconv.Atoi(s); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

// apiPath drops the version prefix ("/v1.41") from a request path.
func apiPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/v")
	if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
		return p
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return p
}

// alarm is a timer started once and stopped once.
type alarm struct {
	limit time.Duration
	fire  func()
	mu    sync.Mutex
	timer *time.Timer
	done  bool
}

func newAlarm(limit time.Duration, fire func()) *alarm { return &alarm{limit: limit, fire: fire} }

func (a *alarm) start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.timer == nil && !a.done {
		a.timer = time.AfterFunc(a.limit, a.fire)
	}
}

// stop disarms the alarm; it reports false when the alarm already fired.
func (a *alarm) stop() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.done = true
	return a.timer == nil || a.timer.Stop()
}

// armOnEOF starts the alarm once the request body is sent.
type armOnEOF struct {
	io.ReadCloser
	arm *alarm
}

func (b *armOnEOF) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.arm.start()
	}
	return n, err
}

func (b *armOnEOF) Close() error {
	b.arm.start()
	return b.ReadCloser.Close()
}

// cancelOnClose releases the call's context with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// deadlineClient is the HTTP client of a plain (unix or tcp) endpoint with
// every call held to limit.
func deadlineClient(proto, addr string, limit time.Duration) *http.Client {
	tr := &http.Transport{MaxIdleConns: 6, IdleConnTimeout: 30 * time.Second}
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	if proto == "unix" {
		tr.DisableCompression = true
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", addr)
		}
	} else {
		tr.Proxy = http.ProxyFromEnvironment
		tr.DialContext = dialer.DialContext
	}
	return &http.Client{Transport: &answerDeadline{base: tr, limit: limit}, CheckRedirect: client.CheckRedirect}
}

// answerTimeout is BERTH_ENGINE_TIMEOUT (a Go duration, "90s") from
// environ, else DefaultAnswerTimeout.
func answerTimeout(environ []string) (time.Duration, error) {
	s := lookup(environ)("BERTH_ENGINE_TIMEOUT")
	if s == "" {
		return DefaultAnswerTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("BERTH_ENGINE_TIMEOUT=%q: want a duration such as 90s", s)
	}
	return d, nil
}
