package docker

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"berth/engine"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
)

// fromInspect maps the engine's inspect answer to a engine.Container.
// now is when the answer arrived, for the human status.
func fromInspect(c container.InspectResponse, now time.Time) engine.Container {
	out := engine.Container{
		ID:      c.ID,
		Name:    strings.TrimPrefix(c.Name, "/"),
		ImageID: c.Image,
		Command: strings.Join(append([]string{c.Path}, c.Args...), " "),
		Created: parseTime(c.Created),
		Mounts:  mountsFrom(c.Mounts),
	}
	out.RestartCount = c.RestartCount
	if c.Config != nil {
		out.Image = c.Config.Image
		out.Labels = c.Config.Labels
	}
	if c.HostConfig != nil {
		out.RestartPolicy = engine.RestartPolicy{Name: string(c.HostConfig.RestartPolicy.Name), MaxRetries: c.HostConfig.RestartPolicy.MaximumRetryCount}
	}
	if c.NetworkSettings != nil {
		out.Networks = sortedKeys(c.NetworkSettings.Networks)
		out.NetworkIDs = networkIDsOf(c.NetworkSettings.Networks)
		out.Ports = portsFrom(c.NetworkSettings)
	}
	if s := c.State; s != nil {
		out.State = engine.State(s.Status)
		out.ExitCode = s.ExitCode
		out.StartedAt = parseTime(s.StartedAt)
		out.FinishedAt = parseTime(s.FinishedAt)
		if s.Health != nil && s.Health.Status != container.NoHealthcheck {
			out.Health = engine.Health(s.Health.Status)
		}
	}
	out.Status = humanStatus(out, now)
	return out
}

// parseTime reads the engine's RFC 3339 times; the engine writes the zero
// time as 0001-01-01T00:00:00Z, which parses to time.Time{}.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// mountsFrom maps inspect's mount points; a volume is named by its volume name.
func mountsFrom(ms []container.MountPoint) []engine.Mount {
	var out []engine.Mount
	for _, m := range ms {
		src := m.Source
		if m.Type == "volume" {
			src = m.Name
		}
		out = append(out, engine.Mount{Type: string(m.Type), Source: src, Target: m.Destination, ReadOnly: !m.RW, BindPropagation: string(m.Propagation)})
	}
	return out
}

// portsFrom lists published and exposed ports, sorted by container port,
// protocol, then host address.
func portsFrom(ns *container.NetworkSettings) []engine.Port {
	var out []engine.Port
	for port, bindings := range ns.Ports {
		if len(bindings) == 0 {
			out = append(out, engine.Port{ContainerPort: port.Num(), Protocol: string(port.Proto())})
		}
		for _, b := range bindings {
			var hostPort uint16
			fmt.Sscanf(b.HostPort, "%d", &hostPort) // "" stays 0: not published
			hostIP := ""
			if b.HostIP.IsValid() {
				hostIP = b.HostIP.String()
			}
			out = append(out, engine.Port{HostIP: hostIP, HostPort: hostPort, ContainerPort: port.Num(), Protocol: string(port.Proto())})
		}
	}
	slices.SortFunc(out, comparePorts)
	return out
}

func comparePorts(a, b engine.Port) int {
	if a.ContainerPort != b.ContainerPort {
		return int(a.ContainerPort) - int(b.ContainerPort)
	}
	if c := strings.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	if c := strings.Compare(a.HostIP, b.HostIP); c != 0 {
		return c
	}
	return int(a.HostPort) - int(b.HostPort)
}

// humanStatus words the state the way the engine's list does ("Up 3
// seconds (healthy)", "Exited (0) 2 minutes ago"); inspect has no such field.
func humanStatus(c engine.Container, now time.Time) string {
	switch c.State {
	case engine.StateRunning:
		return "Up " + units.HumanDuration(now.Sub(c.StartedAt)) + healthSuffix(c.Health)
	case engine.StatePaused:
		return "Up " + units.HumanDuration(now.Sub(c.StartedAt)) + " (Paused)"
	case engine.StateRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", c.ExitCode, units.HumanDuration(now.Sub(c.FinishedAt)))
	case engine.StateExited:
		if c.FinishedAt.IsZero() {
			return fmt.Sprintf("Exited (%d)", c.ExitCode)
		}
		return fmt.Sprintf("Exited (%d) %s ago", c.ExitCode, units.HumanDuration(now.Sub(c.FinishedAt)))
	case engine.StateCreated:
		return "Created"
	case engine.StateRemoving:
		return "Removal In Progress"
	case engine.StateDead:
		return "Dead"
	}
	return string(c.State)
}

func healthSuffix(h engine.Health) string {
	switch h {
	case engine.HealthStarting:
		return " (health: starting)"
	case engine.HealthHealthy, engine.HealthUnhealthy:
		return " (" + string(h) + ")"
	}
	return ""
}
