// Command berth is a Docker Compose reimplementation: it reads compose.yaml
// and runs the project on a Docker Engine.
//
// This package owns the command line: cobra commands (one file per command),
// global flags and COMPOSE_* variables, signals, exit codes and the rendering
// of progress events (tty, plain, json, quiet). The work itself is done by
// compose (loading) and reconciler (engine).
package main
