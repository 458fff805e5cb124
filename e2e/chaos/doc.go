// Package chaos is berth's fault suite: the built binary against engines
// that die, users who interrupt, and runs that race, each fault repeated
// and checked for convergence (the next `up -d` leaves exactly the
// project), lost data (a named volume's marker file) and hangs (a berth
// run that outlives its deadline).
//
// The tests run only with BERTH_CHAOS set: "short" (a few runs of each,
// what CI runs) or "full" (the counts `make chaos` runs). Faults that kill
// or restart an engine start a private one (internal/testengine, Debian's
// dockerd 20.10 in its own network namespace; root needed); the others use
// the machine's engine and touch only their own project. At the end the
// suite prints a table: fault | runs | converged | lost data | hung.
package chaos
