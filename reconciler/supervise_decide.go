package reconciler

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/engine"
)

// supervisor is the supervisor's memory. Its methods are pure: they read an
// event and return decisions, with no engine call and no clock, so a table of
// event sequences tests them.
type supervisor struct {
	opts       SuperviseOptions
	containers map[string]*followed // by container ID
	stopping   bool                 // berth is stopping the project: nothing restarts
	code       int
	codeSet    bool
	done       bool
}

// followed is one container's state as the events told it.
type followed struct {
	Watched
	userStop    bool      // a stop or kill by hand: the engine will not restart it
	willRestart bool      // its last die will be followed by a policy start
	finished    bool      // exited for good, or removed
	lastDie     time.Time // where its next run's output begins
}

func newSupervisor(opts SuperviseOptions, initial []Watched) *supervisor {
	if opts.ExitCodeFrom != "" {
		opts.AbortOnExit = true
	}
	s := &supervisor{opts: opts, containers: map[string]*followed{}}
	for _, w := range initial {
		s.track(w)
	}
	return s
}

// track follows one more container (one berth started, or one that appeared
// while attached).
func (s *supervisor) track(w Watched) {
	if _, ok := s.containers[w.ID]; !ok {
		s.containers[w.ID] = &followed{Watched: w, finished: !w.ExitedAt.IsZero(), lastDie: w.ExitedAt}
	}
}

// knows says whether the container is followed already.
func (s *supervisor) knows(id string) bool {
	_, ok := s.containers[id]
	return ok
}

// wants says whether a container of service that appears while attached
// should be followed.
func (s *supervisor) wants(service string) bool {
	return !s.stopping && (len(s.opts.Services) == 0 || slices.Contains(s.opts.Services, service))
}

// stop records that berth is stopping the project (Ctrl-C, abort):
// containers that die now stay down.
func (s *supervisor) stop() []Decision {
	s.stopping = true
	for _, c := range s.containers {
		if !c.Running && c.willRestart {
			c.willRestart, c.finished = false, true
		}
	}
	return s.checkDone()
}

// start is the decision before any event: a run with nothing to follow is
// over at once.
func (s *supervisor) start() []Decision { return s.checkDone() }

// next is the decisions that follow one engine event.
func (s *supervisor) next(ev engine.Event) []Decision {
	c, ok := s.containers[ev.ContainerID]
	if !ok || s.done {
		return nil
	}
	switch ev.Action {
	case engine.EventKill:
		if stopSignal(ev.Signal, c.StopSignal) {
			c.userStop = true
		}
	case engine.EventStop:
		return s.stopped(c)
	case engine.EventDie:
		return s.died(c, ev)
	case engine.EventStart:
		return s.started(c, ev)
	case engine.EventDestroy:
		c.Running, c.willRestart, c.finished = false, false, true
		return s.checkDone()
	}
	return nil
}

// stopped handles a stop event: it normally follows die, but a container
// waiting for a policy restart that is stopped by hand stays down.
func (s *supervisor) stopped(c *followed) []Decision {
	c.userStop = true
	if c.Running || !c.willRestart {
		return nil
	}
	c.willRestart, c.finished = false, true
	return s.checkDone()
}

// died reports an exit and works out whether the engine restarts the
// container, as the engine's restart manager does.
func (s *supervisor) died(c *followed, ev engine.Event) []Decision {
	c.Running, c.Attached, c.lastDie = false, false, ev.Time
	out := []Decision{c.decision(ReportExit, ev.ExitCode, "")}
	restart, giveUp := restarts(c.Restart, c.RestartCount, ev.ExitCode)
	c.willRestart = restart && !c.userStop && !s.stopping
	if c.willRestart {
		c.RestartCount++
		return out
	}
	c.finished = true
	if giveUp && !c.userStop && !s.stopping {
		out = append(out, c.decision(GiveUp, ev.ExitCode,
			fmt.Sprintf("restart policy %s:%d: no retries left", c.Restart.Name, c.Restart.MaxRetries)))
	}
	out = append(out, s.exitedForGood(c, ev.ExitCode)...)
	return append(out, s.checkDone()...)
}

// exitedForGood records the run's exit code and aborts the project when
// asked to.
func (s *supervisor) exitedForGood(c *followed, code int) []Decision {
	if c.Service == s.opts.ExitCodeFrom {
		s.code, s.codeSet = code, true
	}
	if s.stopping || !(s.opts.AbortOnExit || (s.opts.AbortOnFailure && code != 0)) {
		return nil
	}
	if !s.codeSet { // without --exit-code-from, the first exit decides
		s.code, s.codeSet = code, true
	}
	s.stopping = true
	return []Decision{c.decision(Abort, s.code, "")}
}

// started handles a start: a policy restart, a container started by hand
// again, or a new run of one berth just created.
func (s *supervisor) started(c *followed, ev engine.Event) []Decision {
	var out []Decision
	if c.willRestart {
		out = append(out, c.decision(ReportRestart, 0, restartReason(c)))
	} else if c.finished {
		c.userStop = false // started by hand: the policy applies again
	}
	c.Running, c.willRestart, c.finished = true, false, false
	if !c.Attached {
		c.Attached = true
		d := c.decision(Attach, 0, "")
		d.Since = c.lastDie
		out = append(out, d)
	}
	return out
}

// checkDone decides Done once every followed container is finished.
func (s *supervisor) checkDone() []Decision {
	if s.done || s.opts.UntilStopped && !s.stopping {
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(s.containers)) {
		if !s.containers[id].finished {
			return nil
		}
	}
	s.done = true
	return []Decision{{Kind: Done, Code: s.code}}
}

func (c *followed) decision(k DecisionKind, code int, reason string) Decision {
	return Decision{Kind: k, ContainerID: c.ID, Name: c.Name, Service: c.Service, Code: code, Reason: reason}
}

func restartReason(c *followed) string {
	if c.Restart.Name == "on-failure" && c.Restart.MaxRetries > 0 {
		return fmt.Sprintf("restart policy on-failure, %d of %d", c.RestartCount, c.Restart.MaxRetries)
	}
	return "restart policy " + c.Restart.Name
}

// restarts is the engine's rule: does a container with policy p, restarted
// count times already, come back after exiting with code? giveUp says the
// policy wanted to but the retries are used up.
func restarts(p engine.RestartPolicy, count, code int) (restart, giveUp bool) {
	switch p.Name {
	case "always", "unless-stopped":
		return true, false
	case "on-failure":
		if code == 0 {
			return false, false
		}
		if p.MaxRetries > 0 && count >= p.MaxRetries {
			return false, true
		}
		return true, false
	}
	return false, false
}

// signalNumbers are the stop signals people set, by name.
var signalNumbers = map[string]string{
	"HUP": "1", "INT": "2", "QUIT": "3", "KILL": "9", "USR1": "10", "USR2": "12", "TERM": "15",
}

// stopSignal says whether a kill event's signal stops the container for
// good: SIGKILL, or the container's stop signal (SIGTERM by default), as the
// engine decides.
func stopSignal(sig, containerStop string) bool {
	n := signalNumber(sig)
	return n == "9" || n == signalNumber(containerStop)
}

func signalNumber(sig string) string {
	if sig == "" {
		return "15"
	}
	if _, err := strconv.Atoi(sig); err == nil {
		return sig
	}
	name := strings.TrimPrefix(strings.ToUpper(sig), "SIG")
	if n, ok := signalNumbers[name]; ok {
		return n
	}
	return name
}
