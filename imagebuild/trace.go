package imagebuild

import (
	"fmt"
	"strings"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"google.golang.org/protobuf/proto"
)

// logTail is how many lines of a step's output a failure quotes.
const logTail = 10

// Vertex is one step of a BuildKit build (a Dockerfile instruction or an
// internal step such as loading the context), as berth shows it.
type Vertex struct {
	Number    int    // 1, 2, … in the order the steps started (or were found cached): "#5"
	Name      string // "[stage-0 2/4] RUN npm ci"
	Cached    bool
	Started   time.Time
	Completed time.Time
	Error     string
}

// Duration is how long the step ran (so far, when it has not completed).
func (v Vertex) Duration(now time.Time) time.Duration {
	if v.Started.IsZero() {
		return 0
	}
	end := v.Completed
	if end.IsZero() {
		end = now
	}
	return end.Sub(v.Started)
}

// vertexState is a vertex and what was printed of it.
type vertexState struct {
	Vertex
	announced bool     // "#5 name" printed
	finished  bool     // CACHED, DONE or ERROR printed
	partial   string   // output not yet ended by a newline
	tail      []string // the last lines of output, for a failure
}

// traceDisplay folds BuildKit's status messages of one build into
// numbered plain lines, the way `docker build --progress plain` prints
// them, and remembers each step's state for the tty line and for errors.
type traceDisplay struct {
	byDigest map[string]*vertexState
	order    []*vertexState
}

func newTraceDisplay() *traceDisplay {
	return &traceDisplay{byDigest: map[string]*vertexState{}}
}

// decodeTrace reads one moby.buildkit.trace message.
func decodeTrace(b []byte) (*controlapi.StatusResponse, error) {
	var st controlapi.StatusResponse
	if err := proto.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("reading BuildKit's progress: %w", err)
	}
	return &st, nil
}

// add folds one status message in and returns the plain lines it makes.
func (d *traceDisplay) add(st *controlapi.StatusResponse) []string {
	var out []string
	for _, v := range st.Vertexes {
		out = append(out, d.vertex(v)...)
	}
	for _, s := range st.Statuses {
		if vs := d.byDigest[s.Vertex]; vs != nil && vs.announced && s.Completed != nil && s.Name == "" && s.ID != "" {
			out = append(out, fmt.Sprintf("#%d %s done", vs.Number, s.ID))
		}
	}
	for _, l := range st.Logs {
		out = append(out, d.log(l)...)
	}
	for _, w := range st.Warnings {
		out = append(out, "WARNING: "+strings.TrimSpace(string(w.Short)))
	}
	return out
}

// vertex records a vertex update: its announcement, CACHED, DONE or ERROR.
func (d *traceDisplay) vertex(v *controlapi.Vertex) []string {
	vs := d.byDigest[v.Digest]
	if vs == nil {
		vs = &vertexState{}
		d.byDigest[v.Digest] = vs
	}
	vs.Name, vs.Cached, vs.Error = v.Name, v.Cached, v.Error
	if v.Started != nil {
		vs.Started = v.Started.AsTime()
	}
	if v.Completed != nil {
		vs.Completed = v.Completed.AsTime()
	}
	var out []string
	if !vs.announced && (v.Started != nil || v.Cached) {
		vs.announced = true
		d.order = append(d.order, vs)
		vs.Number = len(d.order)
		out = append(out, fmt.Sprintf("#%d %s", vs.Number, vs.Name))
	}
	if !vs.announced || vs.finished || (v.Completed == nil && !v.Cached) {
		return out
	}
	vs.finished = true
	if vs.partial != "" {
		out = append(out, vs.logLine(vs.partial, vs.Completed))
		vs.partial = ""
	}
	switch {
	case vs.Error != "":
		out = append(out, fmt.Sprintf("#%d ERROR: %s", vs.Number, vs.Error))
	case vs.Cached:
		out = append(out, fmt.Sprintf("#%d CACHED", vs.Number))
	default:
		out = append(out, fmt.Sprintf("#%d DONE %.1fs", vs.Number, vs.Duration(vs.Completed).Seconds()))
	}
	return out
}

// log splits a step's output into lines; an unfinished line waits.
func (d *traceDisplay) log(l *controlapi.VertexLog) []string {
	vs := d.byDigest[l.Vertex]
	if vs == nil || !vs.announced {
		return nil
	}
	text := vs.partial + string(l.Msg)
	lines := strings.Split(text, "\n")
	vs.partial = lines[len(lines)-1]
	var out []string
	for _, line := range lines[:len(lines)-1] {
		out = append(out, vs.logLine(strings.TrimRight(line, "\r"), l.Timestamp.AsTime()))
	}
	return out
}

// logLine numbers one line of output with the seconds since its step
// started, and keeps it for a failure's message.
func (vs *vertexState) logLine(line string, at time.Time) string {
	vs.tail = append(vs.tail, line)
	if len(vs.tail) > logTail {
		vs.tail = vs.tail[len(vs.tail)-logTail:]
	}
	secs := 0.0
	if !vs.Started.IsZero() {
		secs = at.Sub(vs.Started).Seconds()
	}
	return fmt.Sprintf("#%d %.3f %s", vs.Number, secs, line)
}

// failed is the step that failed, if one did.
func (d *traceDisplay) failed() *vertexState {
	for _, vs := range d.order {
		if vs.Error != "" && !strings.Contains(vs.Error, "context canceled") {
			return vs
		}
	}
	return nil
}

// current is the step the tty shows for the build: the last one started,
// with its time, "CACHED" or "DONE".
func (d *traceDisplay) current(now time.Time) string {
	for i := len(d.order) - 1; i >= 0; i-- {
		vs := d.order[i]
		switch {
		case vs.Error != "":
			return vs.Name + " ERROR"
		case vs.Cached:
			return vs.Name + " CACHED"
		}
		return fmt.Sprintf("%s %.1fs", vs.Name, vs.Duration(now).Seconds())
	}
	return ""
}

// Vertices are the steps seen so far, in the order they were announced.
func (d *traceDisplay) Vertices() []Vertex {
	out := make([]Vertex, len(d.order))
	for i, vs := range d.order {
		out[i] = vs.Vertex
	}
	return out
}
