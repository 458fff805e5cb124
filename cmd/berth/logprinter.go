package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"berth/engine"
	"berth/project"
	"berth/reconciler"
)

// logPrinter writes the output of many containers to one stream as Docker
// Compose does: each line whole (two containers never interleave inside a
// line), prefixed with the container's short name padded to the widest one
// and " | ", the prefix in one color per service.
type logPrinter struct {
	mu         sync.Mutex
	out        io.Writer
	errOut     io.Writer // where containers' stderr lines go; nil: out
	color      bool
	prefix     bool
	timestamps bool // add the time a line was read (attached up); logs -t gets the engine's
	width      int
	colors     map[string]string // service → SGR code
	now        func() time.Time
	// held keeps lines back (attached up, while converging: which services
	// to show is decided once the project is up); want filters by service.
	held    bool
	pending []heldLine
	want    func(service string) bool
}

type heldLine struct {
	name, service, text string
	at                  time.Time
	stderr              bool
}

// logColors are the prefix colors, given to services in the order they
// first print: cyan, yellow, green, magenta, blue, then the bright ones.
var logColors = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

func newLogPrinter(out io.Writer, color, prefix, timestamps bool) *logPrinter {
	return &logPrinter{out: out, color: color, prefix: prefix, timestamps: timestamps,
		colors: map[string]string{}, now: time.Now}
}

// shortName is how a container is named in the output: "web-1" for
// "<project>-web-1", the full name for a container_name.
func shortName(projectName, containerName string) string {
	return strings.TrimPrefix(containerName, projectName+project.Separator)
}

// fit widens the prefix column for names (before their first line, so that
// the column does not jump).
func (p *logPrinter) fit(names ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range names {
		p.width = max(p.width, len(n)+1)
	}
}

// line prints one line of a container's output.
func (p *logPrinter) line(name, service, text string) {
	p.emit(name, service, text, false)
}

// emit prints one line of a container's stdout, or of its stderr on errOut.
func (p *logPrinter) emit(name, service, text string, stderr bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held {
		p.pending = append(p.pending, heldLine{name, service, text, p.now(), stderr})
		return
	}
	p.print(name, service, text, p.now(), stderr)
}

// release prints the lines held back (of the services want accepts) and
// lets the next ones through.
func (p *logPrinter) release(color, prefix, timestamps bool, want func(service string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.color, p.prefix, p.timestamps, p.want, p.held = color, prefix, timestamps, want, false
	for _, l := range p.pending {
		p.print(l.name, l.service, l.text, l.at, l.stderr)
	}
	p.pending = nil
}

// print writes one line whole; the caller holds mu.
func (p *logPrinter) print(name, service, text string, at time.Time, stderr bool) {
	if p.want != nil && !p.want(service) {
		return
	}
	var b strings.Builder
	if p.prefix {
		p.width = max(p.width, len(name)+1)
		b.WriteString(p.paint(service, fmt.Sprintf("%-*s |", p.width, name)))
		b.WriteByte(' ')
	}
	if p.timestamps {
		b.WriteString(at.UTC().Format(time.RFC3339Nano) + " ")
	}
	b.WriteString(text)
	b.WriteByte('\n')
	w := p.out
	if stderr && p.errOut != nil {
		w = p.errOut
	}
	io.WriteString(w, b.String())
}

// status prints a line about a container: "web-1 exited with code 0".
func (p *logPrinter) status(name, service, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.out, p.paint(service, name+" "+text)+"\n")
}

// notice prints a line of berth's own ("Gracefully stopping...").
func (p *logPrinter) notice(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.out, text+"\n")
}

// paint colors s with the service's color.
func (p *logPrinter) paint(service, s string) string {
	if !p.color {
		return s
	}
	c, ok := p.colors[service]
	if !ok {
		c = logColors[len(p.colors)%len(logColors)]
		p.colors[service] = c
	}
	return "\x1b[" + c + "m" + s + "\x1b[0m"
}

// copyLines prints r line by line until it ends; a last line without a
// newline is printed whole too. It returns nil at the end of the stream or
// when the stream is closed under it.
func (p *logPrinter) copyLines(name, service string, r io.Reader) error {
	return p.copyStream(name, service, r, false)
}

// copyStream is copyLines for a container's stdout or (stderr) its stderr.
func (p *logPrinter) copyStream(name, service string, r io.Reader, stderr bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		text, err := br.ReadString('\n')
		if text != "" {
			p.emit(name, service, strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r"), stderr)
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return nil
			}
			return err
		}
	}
}

// follower streams containers' output into a logPrinter and carries out
// the supervisor's decisions (re-attach after a restart, report exits).
type follower struct {
	ctx      context.Context
	eng      engine.Reader
	printer  *logPrinter
	project  string
	logOpts  engine.LogOptions // for Logs-based streams (logs, re-attach)
	statuses bool              // report exits and restarts (attached up)
	wg       sync.WaitGroup
}

// stream prints s until it ends; the printing goroutine is waited for by
// wait.
func (f *follower) stream(name, service string, s engine.Stream) {
	f.wg.Go(func() {
		var inner sync.WaitGroup
		for i, r := range []io.Reader{s.Stdout, s.Stderr} {
			if r != nil {
				inner.Go(func() { _ = f.printer.copyStream(name, service, r, i == 1) })
			}
		}
		inner.Wait()
		if s.Close != nil {
			_ = s.Close()
		}
	})
}

// logs streams a container's logged output from since (zero: as logOpts
// say).
func (f *follower) logs(id, name, service string, since time.Time) {
	o := f.logOpts
	if !since.IsZero() {
		o.Since, o.Tail = fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond()), "all"
	}
	s, err := f.eng.Logs(f.ctx, id, o)
	if err != nil {
		f.printer.notice(fmt.Sprintf("%s: %v", name, err))
		return
	}
	f.stream(name, service, s)
}

// handle carries out one decision of the supervisor (logs -f).
func (f *follower) handle(d reconciler.Decision) {
	if d.Kind == reconciler.Attach {
		f.logs(d.ContainerID, shortName(f.project, d.Name), d.Service, d.Since)
	}
	f.report(d)
}

// report shows a decision: exits, restarts and give-ups, when statuses
// are on.
func (f *follower) report(d reconciler.Decision) {
	name := shortName(f.project, d.Name)
	switch d.Kind {
	case reconciler.ReportExit:
		if f.statuses {
			f.printer.status(name, d.Service, fmt.Sprintf("exited with code %d", d.Code))
		}
	case reconciler.ReportRestart:
		if f.statuses {
			f.printer.status(name, d.Service, "restarted by the engine ("+d.Reason+")")
		}
	case reconciler.GiveUp:
		if f.statuses {
			f.printer.status(name, d.Service, "will not be restarted: "+d.Reason)
		}
	}
}

// wait waits for every stream to end, or for ctx.
func (f *follower) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// waitFor waits for every stream to end, at most d.
func (f *follower) waitFor(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	f.wait(ctx)
}

// useColor says whether log prefixes are colored: not with --no-color or
// --ansi never, always with --ansi always, else when stdout is a terminal
// and NO_COLOR is unset.
func (a *app) useColor(noColor bool) bool {
	switch {
	case noColor || a.global.ansi == "never":
		return false
	case a.global.ansi == "always":
		return true
	case a.getenv("NO_COLOR") != "":
		return false
	}
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// containerNumber is a container's replica number ("1"), from its label.
func containerNumber(c engine.Container) string {
	return c.Labels[project.LabelNumber]
}

// serviceOf is a container's service, from its label.
func serviceOf(c engine.Container) string {
	return c.Labels[project.LabelService]
}
