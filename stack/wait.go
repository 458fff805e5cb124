package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"berth/engine"
)

// relook is how often a wait lists the tasks again without an event:
// Engine API 1.41 sends no event for a task on another node (nor for a
// task that cannot be scheduled), so the events of this node alone could
// leave a wait blind.
const relook = 2 * time.Second

// stable is how long the tasks must keep running, unchanged, before a
// wait counts them as up (docker service create waits the same 5s): a
// task that crashes right after it starts showed as running for a moment.
const stable = 5 * time.Second

// Wait follows the swarm until every task of the named services (Swarm
// names; none means the whole stack) runs the current spec: for a service
// with a healthcheck Swarm reports a task running only once it is healthy.
// It fails on a task that failed or was rejected after since, or an update
// the engine paused or rolled back, naming the task and its error. When
// ctx ends first, the error says what was still pending.
func Wait(ctx context.Context, sw engine.Swarm, stack string, names []string, since time.Time) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, errs := sw.SwarmChanges(wctx, stack) // subscribed before the first look
	tick := time.NewTicker(relook)
	defer tick.Stop()
	pending := ""
	crashed := map[string]int{} // task ID → exit code, from this node's die events
	var upSince time.Time
	upTasks := ""
	for {
		services, err := sw.ListServices(ctx, stack)
		if err != nil {
			return timedOut(ctx, pending, err)
		}
		tasks, err := sw.ListTasks(ctx, stack)
		if err != nil {
			return timedOut(ctx, pending, err)
		}
		if err := crash(services, tasks, names, crashed); err != nil {
			return err
		}
		if pending, err = settle(services, tasks, names, since); err != nil {
			return err
		}
		switch ids := runningIDs(tasks); {
		case pending != "":
			upSince = time.Time{}
		case upSince.IsZero() || ids != upTasks:
			upSince, upTasks = time.Now(), ids
			pending = "tasks running, checking they stay up"
		case time.Since(upSince) >= stable:
			return nil
		default:
			pending = "tasks running, checking they stay up"
		}
		select {
		case c := <-changes:
			if c.Died && c.ExitCode != 0 && c.TaskID != "" {
				crashed[c.TaskID] = c.ExitCode
			}
		case <-tick.C:
		case err := <-errs:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return timedOut(ctx, pending, ctx.Err())
		}
	}
}

// timedOut says what was pending when the wait's time ran out; other
// errors pass unchanged.
func timedOut(ctx context.Context, pending string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && pending != "" {
		return fmt.Errorf("timed out waiting: %s", pending)
	}
	return err
}

// crash fails the wait when a task the manager still wants running has
// died with a non-zero exit on this node: the manager hears of it only
// when the agent reports, which under load may be after the tasks looked
// stable. A task stopped on purpose (an update, a scale down) has another
// desired state by then.
func crash(services []swarm.Service, tasks []swarm.Task, names []string, crashed map[string]int) error {
	for _, t := range tasks {
		code, ok := crashed[t.ID]
		if !ok || t.DesiredState != swarm.TaskStateRunning {
			continue
		}
		for _, s := range services {
			if s.ID == t.ServiceID && (len(names) == 0 || slices.Contains(names, s.Spec.Name)) {
				return fmt.Errorf("task %s (%s) failed: its container exited with code %d", taskName(s, t), shortID(t.ID), code)
			}
		}
	}
	return nil
}

// runningIDs identifies the set of running tasks, to see it change.
func runningIDs(tasks []swarm.Task) string {
	var ids []string
	for _, t := range tasks {
		if t.Status.State == swarm.TaskStateRunning {
			ids = append(ids, t.ID)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}

// settle is one look: "" when every service is settled, else what is
// pending; an error when a task failed.
func settle(services []swarm.Service, tasks []swarm.Task, names []string, since time.Time) (string, error) {
	var pending []string
	for _, s := range services {
		if len(names) > 0 && !slices.Contains(names, s.Spec.Name) {
			continue
		}
		p, err := settleService(s, tasksOf(tasks, s.ID), since)
		if err != nil {
			return "", err
		}
		if p != "" {
			pending = append(pending, p)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(services, func(s swarm.Service) bool { return s.Spec.Name == n }) {
			pending = append(pending, n+": not found")
		}
	}
	return strings.Join(pending, "; "), nil
}

func tasksOf(tasks []swarm.Task, serviceID string) []swarm.Task {
	var out []swarm.Task
	for _, t := range tasks {
		if t.ServiceID == serviceID {
			out = append(out, t)
		}
	}
	return out
}

// settleService is settle for one service.
func settleService(s swarm.Service, tasks []swarm.Task, since time.Time) (string, error) {
	if u := s.UpdateStatus; u != nil {
		switch u.State {
		case swarm.UpdateStatePaused, swarm.UpdateStateRollbackStarted, swarm.UpdateStateRollbackPaused, swarm.UpdateStateRollbackCompleted:
			if u.StartedAt != nil && u.StartedAt.After(since) {
				return "", fmt.Errorf("service %s: update %s: %s", s.Spec.Name, u.State, u.Message)
			}
		case swarm.UpdateStateUpdating:
			return s.Spec.Name + ": updating", nil
		}
	}
	current := taskDigest(s.Spec.TaskTemplate)
	running, want := 0, 0
	var waiting []string
	for _, t := range tasks {
		if (t.Status.State == swarm.TaskStateFailed || t.Status.State == swarm.TaskStateRejected) && t.Status.Timestamp.After(since) {
			return "", fmt.Errorf("task %s (%s) %s: %s", taskName(s, t), shortID(t.ID), t.Status.State, taskError(t))
		}
		if t.DesiredState != swarm.TaskStateRunning && t.DesiredState != swarm.TaskStateComplete || ended(t.Status.State) {
			continue // an old task: the orchestrator replaces it
		}
		want++
		switch {
		case (t.Status.State == swarm.TaskStateRunning || t.Status.State == swarm.TaskStateComplete) && taskDigest(t.Spec) == current:
			running++
		default:
			waiting = append(waiting, fmt.Sprintf("task %s %s%s", taskName(s, t), t.Status.State, suffix(taskError(t))))
		}
	}
	if r := s.Spec.Mode.Replicated; r != nil && r.Replicas != nil {
		want = int(*r.Replicas)
	}
	if running >= want && len(waiting) == 0 && (want > 0 || s.Spec.Mode.Replicated != nil) {
		return "", nil
	}
	slices.Sort(waiting)
	return fmt.Sprintf("%s: %d/%d tasks running%s", s.Spec.Name, running, want, suffix(strings.Join(waiting, ", "))), nil
}

// ended reports whether a task state is final and not a success.
func ended(s swarm.TaskState) bool {
	switch s {
	case swarm.TaskStateFailed, swarm.TaskStateRejected, swarm.TaskStateShutdown, swarm.TaskStateOrphaned, swarm.TaskStateRemove:
		return true
	}
	return false
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// taskDigest identifies a task template by the label berth put on it
// (LabelTask); a service deployed without it has one template digest for
// all its tasks, so any running task counts.
func taskDigest(t swarm.TaskSpec) string {
	if t.ContainerSpec == nil {
		return ""
	}
	return t.ContainerSpec.Labels[LabelTask]
}

// taskName is the task as docker service ps names it: service.slot, or
// service.node for a global service.
func taskName(s swarm.Service, t swarm.Task) string {
	if t.Slot != 0 {
		return fmt.Sprintf("%s.%d", s.Spec.Name, t.Slot)
	}
	return s.Spec.Name + "." + shortID(t.NodeID)
}

// taskError is the task's error, or its status message.
func taskError(t swarm.Task) string {
	if t.Status.Err != "" {
		return t.Status.Err
	}
	if t.Status.State == swarm.TaskStateFailed || t.Status.State == swarm.TaskStateRejected {
		return t.Status.Message
	}
	return ""
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// WaitRemoved follows the swarm until the stack has no task left, so
// its networks are free to remove.
func WaitRemoved(ctx context.Context, sw engine.Swarm, stack string) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, errs := sw.SwarmChanges(wctx, stack)
	tick := time.NewTicker(relook)
	defer tick.Stop()
	for {
		tasks, err := sw.ListTasks(ctx, stack)
		if err != nil || len(tasks) == 0 {
			return err
		}
		select {
		case <-changes:
		case <-tick.C:
		case err := <-errs:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return fmt.Errorf("%d task(s) of stack %s still there: %w", len(tasks), stack, ctx.Err())
		}
	}
}
