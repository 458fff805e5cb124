package fake

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"berth/engine"
)

// viewLocked is the container as the engine reports it.
func (e *Engine) viewLocked(c *container) engine.Container {
	return engine.Container{
		ID:            c.id,
		Name:          c.name,
		Image:         c.spec.Image,
		ImageID:       c.imageID,
		Command:       strings.Join(argv(c.spec), " "),
		Created:       c.created,
		State:         c.state,
		Health:        c.health,
		ExitCode:      c.exitCode,
		Status:        status(c, time.Now()),
		Labels:        maps.Clone(c.spec.Labels),
		Ports:         slices.Clone(c.ports),
		Networks:      slices.Sorted(maps.Keys(c.networks)),
		NetworkIDs:    e.networkIDsLocked(c),
		Mounts:        slices.Clone(c.mounts),
		RestartPolicy: c.spec.Restart,
		RestartCount:  c.restartCount,
		StartedAt:     c.startedAt,
		FinishedAt:    c.finishedAt,
	}
}

// networkIDsLocked lists the IDs of the networks c is attached to, sorted.
func (e *Engine) networkIDsLocked(c *container) []string {
	var ids []string
	for name := range c.networks {
		if n := e.lookupNetwork(name); n != nil {
			ids = append(ids, n.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// listViewLocked is the container as the engine's list reports it: no
// restart policy, restart count or times, the exit code only once it has
// exited (or restarts) and the health only while it runs, as the real
// list's status words tell them.
func (e *Engine) listViewLocked(c *container) engine.Container {
	v := e.viewLocked(c)
	v.RestartPolicy, v.RestartCount = engine.RestartPolicy{}, 0
	v.StartedAt, v.FinishedAt = time.Time{}, time.Time{}
	v.Created = v.Created.Truncate(time.Second)
	if v.State != engine.StateExited && v.State != engine.StateRestarting {
		v.ExitCode = 0
	}
	if v.State != engine.StateRunning {
		v.Health = engine.HealthNone
	}
	return v
}

// argv is the command the container runs: entrypoint, then command.
func argv(s engine.ContainerSpec) []string {
	return append(slices.Clone(s.Entrypoint), s.Command...)
}

// status is the engine's human status: "Up 3 seconds (healthy)",
// "Exited (0) 2 minutes ago".
func status(c *container, now time.Time) string {
	switch c.state {
	case engine.StateCreated:
		return "Created"
	case engine.StateRunning, engine.StatePaused:
		s := "Up " + humanDuration(now.Sub(c.startedAt))
		switch {
		case c.state == engine.StatePaused:
			s += " (Paused)"
		case c.health == engine.HealthStarting:
			s += " (health: starting)"
		case c.health != engine.HealthNone:
			s += " (" + string(c.health) + ")"
		}
		return s
	case engine.StateRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", c.exitCode, humanDuration(now.Sub(c.finishedAt)))
	default:
		return fmt.Sprintf("Exited (%d) %s ago", c.exitCode, humanDuration(now.Sub(c.finishedAt)))
	}
}

// humanDuration words d the way the engine does in statuses.
func humanDuration(d time.Duration) string {
	s := int(d.Seconds())
	switch {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	case d.Minutes() < 2:
		return "About a minute"
	case d.Minutes() < 60:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d.Hours() < 2:
		return "About an hour"
	case d.Hours() < 48:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
}
