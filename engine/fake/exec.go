package fake

import (
	"context"
	"time"

	"berth/engine"
)

var _ engine.Exec = (*Engine)(nil)

// process is one exec: the command it runs in which container, and how it
// ended.
type process struct {
	c        *container
	spec     engine.ExecSpec
	started  bool
	running  bool
	exitCode int
}

// Exec is the fake's exec API: processes run through the same interpreter
// as containers, in the container's files, while its run lasts.
func (e *Engine) Exec() engine.Exec { return e }

// ExecCreate prepares a process in a running container; like the engine,
// it refuses a container that does not run.
func (e *Engine) ExecCreate(ctx context.Context, id string, spec engine.ExecSpec) (string, error) {
	c, err := e.lockContainer(ctx, "ExecCreate", id)
	if err != nil {
		return "", err
	}
	defer e.mu.Unlock()
	if c.state != engine.StateRunning {
		return "", wrap("container", id, plain("Container %s is not running", c.id))
	}
	if e.execs == nil {
		e.execs = map[string]*process{}
	}
	xid := newID()
	e.execs[xid] = &process{c: c, spec: spec}
	return xid, nil
}

// ExecStart runs the process: attached, its output comes on the returned
// streams, which close when it ends; detached, it runs in the background.
// A program that would serve forever ends with the container's run.
func (e *Engine) ExecStart(ctx context.Context, id string, _ engine.ExecSpec) (engine.Conn, error) {
	if err := e.enter(ctx, "ExecStart", id); err != nil {
		return engine.Conn{}, wrap("exec", id, err)
	}
	e.mu.Lock()
	x, ok := e.execs[id]
	if !ok || x.started {
		e.mu.Unlock()
		return engine.Conn{}, wrap("exec", id, notFound("No such exec instance: %s", id))
	}
	x.started, x.running = true, true
	r := &run{e: e, c: x.c, gen: x.c.gen, stop: x.c.stop}
	e.mu.Unlock()
	p := &execProc{r: r, stdout: newPipe(), stderr: newPipe()}
	go func() {
		code, _ := interpret(x.spec.Cmd, p)
		e.mu.Lock()
		x.running, x.exitCode = false, code
		e.mu.Unlock()
		p.stdout.close()
		p.stderr.close()
	}()
	if x.spec.Detach {
		return engine.Conn{}, nil
	}
	return engine.Conn{Stream: engine.Stream{Stdout: p.stdout, Stderr: p.stderr, Close: func() error { return nil }}}, nil
}

// ExecResize does nothing: the fake has no terminals.
func (e *Engine) ExecResize(ctx context.Context, id string, _, _ uint) error {
	return wrap("exec", id, e.enter(ctx, "ExecResize", id))
}

// ExecInspect reports whether the process runs and, once ended, its code.
func (e *Engine) ExecInspect(ctx context.Context, id string) (bool, int, error) {
	if err := e.enter(ctx, "ExecInspect", id); err != nil {
		return false, 0, wrap("exec", id, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.execs[id]
	if !ok {
		return false, 0, wrap("exec", id, notFound("No such exec instance: %s", id))
	}
	return x.running, x.exitCode, nil
}

// execProc is an exec'd program: it writes to its own streams and sees the
// container's files; stopping the container ends it.
type execProc struct {
	r              *run
	stdout, stderr *pipe
}

func (p *execProc) write(stderr bool, s string) {
	if stderr {
		p.stderr.write(s)
		return
	}
	p.stdout.write(s)
}

func (p *execProc) sleep(d time.Duration) bool            { return p.r.sleep(d) }
func (p *execProc) forever()                              { p.r.forever() }
func (p *execProc) readFile(name string) (string, bool)   { return p.r.readFile(name) }
func (p *execProc) writeFile(name, data string, app bool) { p.r.writeFile(name, data, app) }
