package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"berth/engine"

	"golang.org/x/term"
)

// stdinIsTerminal says whether berth's standard input is a terminal.
func (a *app) stdinIsTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stdoutIsTerminal says whether berth's standard output is a terminal.
func (a *app) stdoutIsTerminal() bool {
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// pump connects an attached process to berth's streams until its output
// ends: input copied in (end of input half-closes the connection), output
// copied out. With a TTY the local terminal goes raw (keys reach the
// process, Ctrl-C included) and follows the window's size (SIGWINCH).
func (a *app) pump(ctx context.Context, conn engine.Conn, tty bool, resize func(h, w uint) error) error {
	defer conn.Close()
	if tty {
		if restore := a.rawTerminal(); restore != nil {
			defer restore()
		}
		stop := a.followSize(ctx, resize)
		defer stop()
	}
	if conn.Stdin != nil && a.stdin != nil {
		go func() {
			_, _ = io.Copy(conn.Stdin, a.stdin)
			if conn.CloseStdin != nil {
				_ = conn.CloseStdin()
			}
		}()
	}
	var wg sync.WaitGroup
	var outErr error
	wg.Go(func() { _, outErr = io.Copy(a.stdout, conn.Stdout) })
	wg.Go(func() { _, _ = io.Copy(a.stderr, conn.Stderr) })
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if outErr != nil && !isClosedErr(outErr) {
		return outErr
	}
	return nil
}

func isClosedErr(err error) bool {
	return err == io.EOF || err == io.ErrClosedPipe || err == os.ErrClosed
}

// rawTerminal puts stdin in raw mode and returns how to restore it, or nil
// when stdin is no terminal.
func (a *app) rawTerminal() func() {
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	state, err := term.MakeRaw(int(f.Fd()))
	if err != nil {
		return nil
	}
	return func() { _ = term.Restore(int(f.Fd()), state) }
}

// followSize sends the terminal's size now and after every SIGWINCH, until
// the returned stop is called.
func (a *app) followSize(ctx context.Context, resize func(h, w uint) error) (stop func()) {
	fd := -1
	for _, s := range []any{a.stdout, a.stdin} {
		if f, ok := s.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fd = int(f.Fd())
			break
		}
	}
	if fd < 0 || resize == nil {
		return func() {}
	}
	send := func() {
		if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 {
			_ = resize(uint(h), uint(w))
		}
	}
	send()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		for {
			select {
			case <-winch:
				send()
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { signal.Stop(winch); cancel() }
}
