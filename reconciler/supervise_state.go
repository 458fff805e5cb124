package reconciler

import (
	"fmt"
	"strings"
	"time"

	"berth/engine"
)

// The engine event sequences the supervisor relies on (Docker Engine 20.10
// and later; the fake engine emits the same):
//
//   - a run ends: die (with exitCode).
//   - a restart made by the restart policy: die → start, with NO restart
//     event in between; the engine waits a backoff first (100ms, doubling).
//   - docker stop / berth's stop: kill (signal 15, or the stop signal) →
//     [kill (signal 9) after the grace period] → die → stop. The engine marks
//     the container as stopped by the user and does not restart it, whatever
//     its policy.
//   - docker kill (SIGKILL by default): kill → die; also counts as stopped by
//     the user. A process that dies on its own (or is killed from inside the
//     container) is not, and the policy applies.
//   - docker restart: kill → die → stop → start → restart.
//   - removal: destroy (after die when the container was running).
//
// The supervisor mirrors the engine's decision (same rules, same retry
// count) instead of asking the engine after each die; when the engine brings
// back a container the supervisor thought was finished (a restart by hand),
// a start event revives it.

// Watched is a container the supervisor follows.
type Watched struct {
	ID      string
	Name    string
	Service string
	Restart engine.RestartPolicy
	// RestartCount is the engine's count of policy restarts so far; it
	// resets when the container is started by hand.
	RestartCount int
	// StopSignal is the container's stop signal ("" means SIGTERM).
	StopSignal string
	// Running says the container runs now (it is not waiting to be started).
	Running bool
	// Attached says its output is already being streamed.
	Attached bool
	// ExitedAt, when set, says the container has exited for good already
	// (at that time); it is followed in case it is started again.
	ExitedAt time.Time
}

// SuperviseOptions choose what ends an attached run.
type SuperviseOptions struct {
	Project string
	// Services whose new containers (scaled up while attached) are followed
	// too; empty means every service.
	Services []string
	// AbortOnExit stops the project when any container exits for good.
	AbortOnExit bool
	// AbortOnFailure stops the project when one exits for good with a
	// non-zero code.
	AbortOnFailure bool
	// ExitCodeFrom is the service whose exit code the run returns; it
	// implies AbortOnExit.
	ExitCodeFrom string
	// UntilStopped keeps the run going when every container has exited
	// (up --watch: the watch restarts and recreates containers, so an exit
	// is not the end); only a stop (Ctrl-C, an abort) ends it.
	UntilStopped bool
}

// DecisionKind is what the supervisor asks its caller to do.
type DecisionKind int

const (
	// Attach: stream the container's new run, from Since (zero: all of its
	// output so far).
	Attach DecisionKind = iota
	// ReportExit: "<name> exited with code <code>".
	ReportExit
	// ReportRestart: the engine restarted the container under its policy.
	ReportRestart
	// GiveUp: the policy would restart but the engine will not (retries
	// exhausted); Reason says why.
	GiveUp
	// Abort: stop the project (--abort-on-container-exit/-failure).
	Abort
	// Done: every followed container has exited for good; Code is the
	// run's exit code.
	Done
)

func (k DecisionKind) String() string {
	return [...]string{"attach", "exit", "restart", "give-up", "abort", "done"}[k]
}

// Decision is one thing to do, about one container (except Done).
type Decision struct {
	Kind        DecisionKind
	ContainerID string
	Name        string
	Service     string
	Code        int
	Since       time.Time
	Reason      string
}

// String renders a decision for tests and debugging: "exit web-1 code=1".
func (d Decision) String() string {
	var b strings.Builder
	b.WriteString(d.Kind.String())
	if d.Name != "" {
		b.WriteString(" " + d.Name)
	}
	switch d.Kind {
	case ReportExit, Abort, Done:
		fmt.Fprintf(&b, " code=%d", d.Code)
	case Attach:
		if !d.Since.IsZero() {
			b.WriteString(" since=" + d.Since.UTC().Format(time.TimeOnly))
		}
	}
	if d.Reason != "" {
		b.WriteString(" (" + d.Reason + ")")
	}
	return b.String()
}
