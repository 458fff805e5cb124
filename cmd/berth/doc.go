// Command berth is a Docker Compose reimplementation: it reads compose.yaml
// and runs the project on a Docker Engine.
//
// This package owns the command line: cobra commands (one file per command,
// all listed in commands.go), global flags and COMPOSE_* variables, signals,
// exit codes and the rendering of progress events (tty, plain, json, quiet).
// A command starts with one prelude, app.open (app.openReader for those that
// only read): load the project, connect to the engine. The work itself is
// done by compose (loading) and reconciler (engine).
package main
