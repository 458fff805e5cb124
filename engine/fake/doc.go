// Package fake is an in-memory engine.Engine with the behaviour of a real
// one: random 64-hex IDs, unique names, labels, state transitions, exit
// codes, health a test can drive, restart policies honoured, events in the
// engine's order. It passes the same enginetest contract suite as the Docker
// adapter, so tests of Apply and Supervise that use it mean something.
//
// Images must be known before a container is created from them: New(refs...)
// or AddImage, as if pulled; BuildImage and ImportImage add them too.
//
// Containers "run" their command (entrypoint then command) through a tiny
// interpreter, so runs are deterministic:
//   - echo [-n] ARGS, cat FILE..., true, :, false, exit [N], touch FILE,
//     mkdir (a no-op), test -f|-e FILE and [ -f FILE ];
//   - sleep N (seconds, fractions and the suffixes s m h d): ends after N;
//     sleep inf or infinity: runs until stopped or killed;
//   - sh -c SCRIPT runs those commands joined by ;, newlines, && and ||, with
//     '…' and "…" quoting and the redirections > FILE, >> FILE and >&2;
//   - anything else (a pipe, a background &, an unknown program, no command at
//     all: the image's own command) runs like a server, until stopped.
//
// Files live in memory: in the volume (kept until the volume is removed) or
// bind source (kept for the engine's lifetime) mounted at the longest
// matching target, else in the container's own filesystem.
//
// The engine's rules the fake follows: stop sends the stop signal, which a
// busybox PID 1 ignores, then SIGKILL, so a stopped container exits 137 —
// the fake does it at once rather than after the grace period. Kill with
// SIGKILL gives 137; other signals are sent (kill event) and ignored. Events
// are create; start; kill, kill, die, stop for a stop; kill, die for a kill;
// die then start for a restart by the policy (no restart event); destroy on
// remove. The fake remembers its last 4096 events, which Events replays
// from EventFilter.Since. A policy restart waits the engine's back-off (100ms, doubled per
// restart; SetRestartDelay changes it). on-failure:N restarts at most N
// times; always and unless-stopped restart unless stop or kill ended the run.
// A healthcheck starts as "starting"; the fake runs its probe every interval
// (default 30s) through the same interpreter, so ["CMD", "true"] turns
// healthy by itself, and SetHealth drives a probe it cannot run.
//
// Exec runs a process through the same interpreter, in the container's files,
// while the container runs; a program that would serve forever ends with the
// run.
//
// Hooks for tests: Calls and ResetCalls count calls per method; FailNext and
// FailNextOn inject an error into the next call of a method; ReservePort
// makes a published port fail to start with "port is already allocated";
// Builds records every build.
package fake
