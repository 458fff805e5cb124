package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Proxy stands between a client and the engine on a unix socket, forwards
// every request unchanged and records each one, so the benchmark can see
// which calls a tool makes and how many of them overlap.
type Proxy struct {
	socket string
	srv    *http.Server

	mu       sync.Mutex
	calls    []Call
	inFlight sync.WaitGroup
}

// Call is one Engine API request as the proxy saw it.
type Call struct {
	Method string
	Path   string // without the API version, IDs and names replaced: /containers/{id}/start
	Start  time.Time
	End    time.Time
}

// Key is "METHOD path", the unit calls are counted by.
func (c Call) Key() string { return c.Method + " " + c.Path }

// StartProxy listens on a new socket in dir and forwards to the engine socket
// upstream (a path such as /var/run/docker.sock).
func StartProxy(dir, upstream string) (*Proxy, error) {
	p := &Proxy{socket: filepath.Join(dir, "engine.sock")}
	ln, err := net.Listen("unix", p.socket)
	if err != nil {
		return nil, fmt.Errorf("bench: proxy: %w", err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = "http"
			r.Out.URL.Host = "engine"
		},
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", upstream)
		}},
		FlushInterval: -1, // event streams and logs pass through as they come
	}
	p.srv = &http.Server{Handler: p.record(rp)}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Host is the DOCKER_HOST value that sends a client through the proxy.
func (p *Proxy) Host() string { return "unix://" + p.socket }

// Take returns the calls recorded since the last Take and forgets them. It
// waits for the calls still in flight, so call it once the client has exited.
func (p *Proxy) Take() []Call {
	p.inFlight.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	calls := p.calls
	p.calls = nil
	return calls
}

// Close stops the proxy and removes its socket.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	if rmErr := os.Remove(p.socket); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	return err
}

func (p *Proxy) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.inFlight.Add(1)
		defer p.inFlight.Done()
		c := Call{Method: r.Method, Path: NormalizePath(r.URL.Path), Start: time.Now()}
		next.ServeHTTP(w, r)
		c.End = time.Now()
		p.mu.Lock()
		p.calls = append(p.calls, c)
		p.mu.Unlock()
	})
}

var (
	versionPrefix = regexp.MustCompile(`^/v[0-9.]+/`)
	objectPath    = regexp.MustCompile(`^/(containers|networks|volumes|exec)/([^/]+)(/.*)?$`)
	imagePath     = regexp.MustCompile(`^/images/(.+?)/(json|history|push|tag|get)$`)
	collection    = map[string]bool{"json": true, "create": true, "prune": true}
)

// NormalizePath strips the API version and replaces object IDs and names,
// so that the calls for fifty containers count under one key.
func NormalizePath(path string) string {
	path = versionPrefix.ReplaceAllString(path, "/")
	if m := imagePath.FindStringSubmatch(path); m != nil {
		return "/images/{name}/" + m[2]
	}
	if m := objectPath.FindStringSubmatch(path); m != nil && !collection[m[2]] {
		return "/" + m[1] + "/{id}" + m[3]
	}
	return path
}

// Profile sums up the calls of one operation.
type Profile struct {
	Counts  map[string]int           // by Key
	Peak    map[string]int           // most calls of one Key in flight at once
	From    map[string]time.Duration // process start to the first call of a Key
	To      map[string]time.Duration // process start to the end of its last call
	Writes  int                      // POST, PUT and DELETE calls
	Elapsed time.Duration            // from the process start to the end of its last call
	First   time.Duration            // from the process start to its first call
}

// Summarize profiles calls made by a process started at start.
func Summarize(start time.Time, calls []Call) Profile {
	p := Profile{Counts: map[string]int{}, Peak: map[string]int{}, From: map[string]time.Duration{}, To: map[string]time.Duration{}}
	byKey := map[string][]Call{}
	for _, c := range calls {
		k := c.Key()
		if p.Counts[k] == 0 || c.Start.Sub(start) < p.From[k] {
			p.From[k] = c.Start.Sub(start)
		}
		p.To[k] = max(p.To[k], c.End.Sub(start))
		p.Counts[k]++
		byKey[c.Key()] = append(byKey[c.Key()], c)
		if c.Method != http.MethodGet && c.Method != http.MethodHead {
			p.Writes++
		}
		if p.First == 0 || c.Start.Sub(start) < p.First {
			p.First = c.Start.Sub(start)
		}
		p.Elapsed = max(p.Elapsed, c.End.Sub(start))
	}
	for k, cs := range byKey {
		p.Peak[k] = peak(cs)
	}
	return p
}

// peak is the largest number of calls whose intervals overlap.
func peak(calls []Call) int {
	type edge struct {
		t     time.Time
		delta int
	}
	var edges []edge
	for _, c := range calls {
		edges = append(edges, edge{c.Start, 1}, edge{c.End, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return a.delta - b.delta // an end before a start at the same instant
	})
	n, most := 0, 0
	for _, e := range edges {
		n += e.delta
		most = max(most, n)
	}
	return most
}

// Calls is how many calls there were in all.
func (p Profile) Calls() int {
	n := 0
	for _, c := range p.Counts {
		n += c
	}
	return n
}

// String renders the profile as one line per call kind, sorted.
func (p Profile) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "first call at %s, last done at %s, writes %d\n",
		p.First.Round(time.Millisecond), p.Elapsed.Round(time.Millisecond), p.Writes)
	keys := slices.SortedFunc(maps.Keys(p.Counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(p.From[a], p.From[b]), strings.Compare(a, b))
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "    %-32s x%-3d at once %-3d %7s .. %s\n", k, p.Counts[k], p.Peak[k],
			p.From[k].Round(time.Millisecond), p.To[k].Round(time.Millisecond))
	}
	return b.String()
}
