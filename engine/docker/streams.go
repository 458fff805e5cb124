package docker

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"berth/engine"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// Attach streams the container's output from now on. Read Stdout and
// Stderr concurrently: without a TTY both come over one connection, and a
// stream nobody reads holds the other back.
func (e *Engine) Attach(ctx context.Context, id string) (engine.Stream, error) {
	tty, err := e.hasTTY(ctx, id)
	if err != nil {
		return engine.Stream{}, err
	}
	res, err := e.cli.ContainerAttach(ctx, id, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return engine.Stream{}, wrap("container", id, err)
	}
	return split(ctx, res.Reader, tty, func() error { res.Close(); return nil }), nil
}

// Logs streams the container's logged output.
func (e *Engine) Logs(ctx context.Context, id string, opts engine.LogOptions) (engine.Stream, error) {
	tty, err := e.hasTTY(ctx, id)
	if err != nil {
		return engine.Stream{}, err
	}
	rc, err := e.cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true,
		Follow: opts.Follow, Tail: opts.Tail, Since: opts.Since, Until: opts.Until, Timestamps: opts.Timestamps,
	})
	if err != nil {
		return engine.Stream{}, wrap("container", id, err)
	}
	return split(ctx, rc, tty, rc.Close), nil
}

// hasTTY says whether the container's output arrives raw (TTY) or
// multiplexed.
func (e *Engine) hasTTY(ctx context.Context, id string) (bool, error) {
	res, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return false, wrap("container", id, err)
	}
	return res.Container.Config != nil && res.Container.Config.Tty, nil
}

// split turns the engine's stream into a Stream: raw output is all stdout;
// multiplexed output is separated by stdcopy. Closing the Stream, or the
// context ending, closes the connection.
func split(ctx context.Context, src io.Reader, tty bool, closeSrc func() error) engine.Stream {
	var once sync.Once
	var closeErr error
	var closed atomic.Bool
	closeAll := func() error {
		once.Do(func() { closed.Store(true); closeErr = closeSrc() })
		return closeErr
	}
	stop := context.AfterFunc(ctx, func() { _ = closeAll() })
	if tty {
		return engine.Stream{Stdout: src, Stderr: strings.NewReader(""), Close: func() error { stop(); return closeAll() }}
	}
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(outW, errW, src)
		if closed.Load() {
			err = nil // the reader hung up or the context ended: a plain end
		}
		outW.CloseWithError(err)
		errW.CloseWithError(err)
	}()
	return engine.Stream{Stdout: outR, Stderr: errR, Close: func() error {
		stop()
		outR.Close()
		errR.Close()
		return closeAll()
	}}
}
