package docker

import (
	"context"

	"berth/engine"

	"github.com/moby/moby/client"
)

var (
	_ engine.Exec        = (*Engine)(nil)
	_ engine.Interactive = (*Engine)(nil)
)

// ExecCreate prepares a process in the container.
func (e *Engine) ExecCreate(ctx context.Context, container string, spec engine.ExecSpec) (string, error) {
	res, err := e.cli.ExecCreate(ctx, container, client.ExecCreateOptions{
		User: spec.User, Privileged: spec.Privileged, TTY: spec.TTY,
		AttachStdin: spec.Stdin && !spec.Detach, AttachStdout: !spec.Detach, AttachStderr: !spec.Detach,
		Env: spec.Env, WorkingDir: spec.WorkingDir, Cmd: spec.Cmd,
	})
	if err != nil {
		return "", wrap("container", container, err)
	}
	return res.ID, nil
}

// ExecStart starts the prepared process, attached unless spec.Detach.
func (e *Engine) ExecStart(ctx context.Context, id string, spec engine.ExecSpec) (engine.Conn, error) {
	if spec.Detach {
		_, err := e.cli.ExecStart(ctx, id, client.ExecStartOptions{Detach: true, TTY: spec.TTY})
		return engine.Conn{}, wrap("exec", id, err)
	}
	res, err := e.cli.ExecAttach(ctx, id, client.ExecAttachOptions{TTY: spec.TTY})
	if err != nil {
		return engine.Conn{}, wrap("exec", id, err)
	}
	return hijacked(ctx, res.HijackedResponse, spec.TTY, spec.Stdin), nil
}

// ExecResize sets the size of the process's terminal.
func (e *Engine) ExecResize(ctx context.Context, id string, height, width uint) error {
	_, err := e.cli.ExecResize(ctx, id, client.ExecResizeOptions{Height: height, Width: width})
	return wrap("exec", id, err)
}

// ExecInspect reports whether the process runs and its exit code.
func (e *Engine) ExecInspect(ctx context.Context, id string) (bool, int, error) {
	res, err := e.cli.ExecInspect(ctx, id, client.ExecInspectOptions{})
	if err != nil {
		return false, 0, wrap("exec", id, err)
	}
	return res.Running, res.ExitCode, nil
}

// AttachStdio attaches to the container's main process, with stdin when
// asked.
func (e *Engine) AttachStdio(ctx context.Context, id string, stdin bool) (engine.Conn, error) {
	tty, err := e.hasTTY(ctx, id)
	if err != nil {
		return engine.Conn{}, err
	}
	res, err := e.cli.ContainerAttach(ctx, id, client.ContainerAttachOptions{Stream: true, Stdin: stdin, Stdout: true, Stderr: true})
	if err != nil {
		return engine.Conn{}, wrap("container", id, err)
	}
	return hijacked(ctx, res.HijackedResponse, tty, stdin), nil
}

// ResizeContainer sets the size of the container's terminal.
func (e *Engine) ResizeContainer(ctx context.Context, id string, height, width uint) error {
	_, err := e.cli.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: height, Width: width})
	return wrap("container", id, err)
}

// hijacked turns a hijacked connection into a Conn: output split like
// Attach's, input written to the connection, CloseStdin half-closing it so
// the process sees end of input.
func hijacked(ctx context.Context, h client.HijackedResponse, tty, stdin bool) engine.Conn {
	conn := engine.Conn{Stream: split(ctx, h.Reader, tty, func() error { h.Close(); return nil })}
	if stdin {
		conn.Stdin = h.Conn
		conn.CloseStdin = h.CloseWrite
	}
	return conn
}
