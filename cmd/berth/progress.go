package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"berth/reconciler"
)

// renderer shows progress events; Close flushes what is left.
type renderer interface {
	reconciler.Progress
	Close()
}

// progressRenderer picks the renderer --progress (COMPOSE_PROGRESS) and
// --ansi ask for: auto is tty on a terminal, plain elsewhere.
func (a *app) progressRenderer() renderer {
	w := a.statusWriter()
	mode := a.global.progress
	if mode == "" || mode == "auto" {
		mode = "plain"
		if a.ansi() {
			mode = "tty"
		}
	}
	switch mode {
	case "quiet":
		return quietRenderer{}
	case "json":
		return &jsonRenderer{w: w}
	case "tty":
		if a.global.ansi != "never" {
			return &ttyRenderer{w: w, index: map[string]int{}}
		}
	}
	return &plainRenderer{w: w, out: a.stdout}
}

// statusWriter is where progress goes: stderr, or stdout when
// COMPOSE_STATUS_STDOUT is true (as Docker Compose reads it).
func (a *app) statusWriter() io.Writer {
	if a.envBool("COMPOSE_STATUS_STDOUT") {
		return a.stdout
	}
	return a.stderr
}

// ansi reports whether stderr takes ANSI control sequences.
func (a *app) ansi() bool {
	switch a.global.ansi {
	case "always":
		return true
	case "never":
		return false
	}
	f, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// line words an event as Docker Compose's tty display does: "Container
// demo-web-1  Started", with berth's reason appended where it explains a
// replacement or removal.
func line(e reconciler.ProgressEvent) string {
	return wordLine(e, "  ")
}

// plainLine words an event as Docker Compose's plain display does, its
// words apart by one space: "Container demo-web-1 Started".
func plainLine(e reconciler.ProgressEvent) string {
	return wordLine(e, " ")
}

func wordLine(e reconciler.ProgressEvent, sep string) string {
	if e.Status == "Skipped" { // Compose's words run on: "web Skipped No image to be pulled"
		return strings.TrimSpace(e.Kind+" "+e.Name) + " Skipped " + e.Reason
	}
	s := e.Kind + " " + e.Name + sep + e.Status
	if e.Err != nil {
		s += sep + e.Err.Error()
	} else if e.Reason != "" && e.Reason != "not found" && e.Done {
		s += " (" + e.Reason + ")"
	}
	return s
}

type quietRenderer struct{}

func (quietRenderer) Event(reconciler.ProgressEvent) {}
func (quietRenderer) Close()                         {}

// plainRenderer prints one line per step begun and one per step ended on
// w, and the output of builds and hooks on out (stdout), where Docker
// Compose prints it.
type plainRenderer struct {
	mu  sync.Mutex
	w   io.Writer
	out io.Writer
}

func (r *plainRenderer) Event(e reconciler.ProgressEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case isTransfer(e): // progress_transfer.go
		if l := plainTransfer(e); l != "" {
			fmt.Fprintln(r.w, l)
		}
	case e.Kind == "Image" && (e.Status == "Pulling" || e.Status == "Pushing") && e.Err == nil:
		fmt.Fprintln(r.w, " "+plainLine(e))
	case e.Kind == "Warning":
		fmt.Fprintln(r.w, "WARN[0000] "+e.Line)
	case e.Line != "":
		w := r.w
		if r.out != nil {
			w = r.out
		}
		fmt.Fprintln(w, e.Service+"  | "+strings.TrimRight(e.Line, "\n"))
	case e.Status != "" || e.Err != nil:
		fmt.Fprintln(r.w, " "+plainLine(e)) // each step begun and ended, as Docker Compose prints them
	}
}

func (r *plainRenderer) Close() {}

// jsonRenderer prints every event as one JSON object a line.
type jsonRenderer struct {
	mu sync.Mutex
	w  io.Writer
}

type jsonEvent struct {
	ID     string `json:"id,omitempty"`
	Status string `json:"status,omitempty"`
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	Done   bool   `json:"done,omitempty"`
	// A pull or push message: the layer, the engine's words, its bytes.
	Layer   string `json:"layer,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Current int64  `json:"current,omitempty"`
	Total   int64  `json:"total,omitempty"`
}

func (r *jsonRenderer) Event(e reconciler.ProgressEvent) {
	je := jsonEvent{Status: e.Status, Text: e.Line, Reason: e.Reason, Done: e.Done,
		Layer: e.Layer, Detail: e.Detail, Current: e.Current, Total: e.Total}
	if e.Name != "" {
		je.ID = e.Kind + " " + e.Name
	}
	if e.Err != nil {
		je.Error = e.Err.Error()
	}
	b, _ := json.Marshal(je) // strings only: cannot fail
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.w, string(b))
}

func (r *jsonRenderer) Close() {}

// ttyRenderer keeps one line per resource and rewrites them in place.
type ttyRenderer struct {
	mu     sync.Mutex
	w      io.Writer
	lines  []string
	index  map[string]int
	drawn  int
	notice []string
	moves  map[string]*transfer // pulls and pushes by line key (progress_transfer.go)
}

func (r *ttyRenderer) Event(e reconciler.ProgressEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Kind == "Warning" {
		r.notice = append(r.notice, "WARN[0000] "+e.Line)
		return
	}
	if e.Line != "" {
		return // build output would drown the status lines
	}
	key := e.Kind + " " + e.Name
	suffix := ""
	if t := r.transferOf(key, e); t != nil {
		suffix = t.bar()
	}
	mark := "⠿"
	if e.Done {
		mark = "✔"
	}
	if e.Err != nil {
		mark = "✘"
	}
	i, ok := r.index[key]
	if !ok {
		i = len(r.lines)
		r.index[key] = i
		r.lines = append(r.lines, "")
	}
	next := " " + mark + " " + line(e) + suffix
	if next == r.lines[i] {
		return // a message that moved no bar: nothing to redraw
	}
	r.lines[i] = next
	r.redraw()
}

// transferOf folds a pull or push message into its image's state and
// returns it while the transfer runs; nil for other events and once the
// image is done, whose line then says only Pulled or Pushed.
func (r *ttyRenderer) transferOf(key string, e reconciler.ProgressEvent) *transfer {
	if e.Kind != "Image" || e.Done || e.Err != nil {
		delete(r.moves, key)
		return nil
	}
	t, ok := r.moves[key]
	if !ok && !isTransfer(e) {
		return nil
	}
	if !ok {
		if r.moves == nil {
			r.moves = map[string]*transfer{}
		}
		t = &transfer{}
		r.moves[key] = t
	}
	t.add(e)
	return t
}

// redraw moves the cursor up over what it drew last and draws again.
func (r *ttyRenderer) redraw() {
	var b strings.Builder
	if r.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", r.drawn)
	}
	for _, l := range r.lines {
		b.WriteString("\x1b[2K" + l + "\n")
	}
	r.drawn = len(r.lines)
	io.WriteString(r.w, b.String())
}

func (r *ttyRenderer) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.notice {
		fmt.Fprintln(r.w, n)
	}
}
