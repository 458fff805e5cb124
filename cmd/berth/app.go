package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"berth/engine"
)

// app is one invocation of berth: its streams, environment, global flags
// and connection to the engine. Commands get it instead of reaching for
// globals, so tests can run berth in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	global         globalFlags
	// connect makes the engine connection; nil is the Docker Engine.
	// Tests of commands set it to an engine/fake constructor.
	connect func(ctx context.Context, environ []string) (engine.Engine, error)
	conn    connection
	// byName is set when no compose file was found and the project was
	// built from its objects' labels (open).
	byName bool
	// pluginClosed is closed when the docker CLI closes its plugin socket
	// (an interrupt); nil outside plugin mode.
	pluginClosed <-chan struct{}
}

// exitError carries an exit code other than 1 out of a command
// (a container's exit code, 130 after Ctrl-C).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// run is main without globals: it parses args, runs the command and maps the
// result to an exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	return a.run(ctx, args)
}

// run runs one invocation; tests call it with an app whose connect gives
// an engine/fake.
func (a *app) run(ctx context.Context, args []string) int {
	args, code := a.dockerPlugin(args)
	if code >= 0 {
		return code
	}
	ctx, cancel := cancelOnClose(ctx, a.pluginClosed)
	defer cancel()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(a.stderr, ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(a.stderr, err)
	return 1
}

// getenv looks a variable up in the invocation's environment.
func (a *app) getenv(key string) string {
	for i := len(a.environ) - 1; i >= 0; i-- {
		kv := a.environ[i]
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:]
		}
	}
	return ""
}

// workingDir is where berth was started.
func (a *app) workingDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}
