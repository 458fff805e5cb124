package imagebuild

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Run runs one build on b and reports its progress as events of req's
// service: which builder ran, each line of output (the classic builder's
// text, or BuildKit's steps numbered as `--progress plain` prints them),
// the step running now, and warnings. When the build fails, the error
// names the service, the Dockerfile line of the failing step and the last
// lines of its output. `build` and `up --build` share it, so both report
// a failure the same way.
func Run(ctx context.Context, b Builder, req Request, report Progress) (string, error) {
	if report == nil {
		report = func(Event) {}
	}
	for _, c := range req.Contexts {
		if _, err := Run(ctx, b, c, report); err != nil {
			return "", err
		}
	}
	r := &run{req: req, report: report, trace: newTraceDisplay()}
	id, err := b.BuildImage(ctx, req, r.message)
	if err != nil {
		return "", r.failure(err)
	}
	return id, nil
}

// run is the state of one build's progress.
type run struct {
	req     Request
	report  Progress
	builder string
	step    string // the classic builder's last "Step n/m"
	trace   *traceDisplay
}

func (r *run) event(e Event) {
	e.Service = r.req.Service
	if len(r.req.Tags) > 0 {
		e.Image = r.req.Tags[0]
	}
	r.report(e)
}

// message turns one message from the engine into events.
func (r *run) message(m Message) {
	switch {
	case m.Builder != "":
		r.builder = m.Builder
		r.event(Event{Line: "building with " + builderWords(m.Builder)})
		for _, w := range Unsupported(r.req.Service, &r.req.build, m.Builder) {
			r.event(Event{Warning: w})
		}
	case m.Trace != nil:
		r.traceMessage(m.Trace)
	default:
		r.lines(m.Line)
	}
}

func builderWords(b string) string {
	if b == BuilderClassic {
		return "the classic builder"
	}
	return b
}

// lines reports the classic builder's text, one non-blank line at a time.
func (r *run) lines(text string) {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, "\r"); strings.TrimSpace(l) == "" {
			continue
		}
		e := Event{Line: l}
		if strings.HasPrefix(l, "Step ") {
			r.step, e.Step = l, l
		}
		r.event(e)
	}
}

// traceMessage reports one BuildKit status message.
func (r *run) traceMessage(b []byte) {
	st, err := decodeTrace(b)
	if err != nil {
		r.event(Event{Warning: err.Error()})
		return
	}
	lines := r.trace.add(st)
	step := r.trace.current(time.Now())
	for _, l := range lines {
		if w, ok := strings.CutPrefix(l, "WARNING: "); ok {
			r.event(Event{Warning: fmt.Sprintf("service %q: build: %s", r.req.Service, w)})
			continue
		}
		r.event(Event{Line: l, Step: step})
	}
}

// failure words a failed build: the Dockerfile line and its output for a
// BuildKit step, the last "Step n/m" for the classic builder, file and
// line for a parse error, a hint for an unreachable "# syntax=" frontend.
func (r *run) failure(err error) error {
	prefix := fmt.Sprintf("service %q: build", r.req.Service)
	msg := err.Error()
	if loc, ok := locateParseError(r.req.file, msg, r.req.shift); ok {
		return &BuildError{msg: prefix + ": " + loc, err: err}
	}
	df := parseDockerfile(r.dockerfileText())
	if df.Syntax != "" && frontendFailed(msg) {
		return &BuildError{msg: fmt.Sprintf("%s: %s:1: the \"# syntax=%s\" directive needs the frontend image %s, which the engine could not get (%s); remove the directive to build with the engine's built-in Dockerfile frontend, or make the image available to the engine",
			prefix, r.req.file, df.Syntax, df.Syntax, msg), err: err}
	}
	if vs := r.trace.failed(); vs != nil {
		at := vs.Name
		if line := df.lineOf(vs.Name); line > 0 {
			at = fmt.Sprintf("%s:%d: %s", r.req.file, r.req.shift.original(line), stepText(vs.Name))
		}
		text := fmt.Sprintf("%s failed at %s: %s", prefix, at, msg)
		if len(vs.tail) > 0 {
			text += "\n  > " + strings.Join(vs.tail, "\n  > ")
		}
		return &BuildError{msg: text, err: err}
	}
	if r.step != "" {
		return &BuildError{msg: fmt.Sprintf("%s failed at %s: %s", prefix, r.step, msg), err: err}
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

func (r *run) dockerfileText() []byte {
	if r.req.dockerfile == nil {
		return nil
	}
	return r.req.dockerfile()
}

// stepText drops BuildKit's "[stage 2/4] " prefix from a step's name.
func stepText(name string) string {
	if loc := stepRE.FindStringIndex(name); loc != nil {
		return name[loc[1]:]
	}
	return name
}

// frontendFailed reports an engine error about getting a Dockerfile
// frontend image (a "# syntax=" directive the engine could not resolve).
func frontendFailed(msg string) bool {
	return strings.Contains(msg, "frontend") && (strings.Contains(msg, "resolve") || strings.Contains(msg, "pull") ||
		strings.Contains(msg, "dial") || strings.Contains(msg, "lookup") || strings.Contains(msg, "not found"))
}

// BuildError is a failed build, worded for the user, that still matches
// the engine's error with errors.Is.
type BuildError struct {
	msg string
	err error
}

func (e *BuildError) Error() string { return e.msg }
func (e *BuildError) Unwrap() error { return e.err }
