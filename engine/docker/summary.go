package docker

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/engine"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// fromSummary maps one entry of the engine's container list to a
// engine.Container. The list has no restart policy, restart count or
// start and finish times; those stay zero. Exit code and health are read
// from the engine's status words, which is all a list tells on API 1.41.
func fromSummary(c container.Summary) engine.Container {
	out := engine.Container{
		ID:      c.ID,
		Name:    canonicalName(c.Names),
		Image:   c.Image,
		ImageID: c.ImageID,
		Command: c.Command,
		Created: time.Unix(c.Created, 0),
		State:   engine.State(c.State),
		Status:  c.Status,
		Labels:  c.Labels,
		Ports:   portsFromSummary(c.Ports),
		Mounts:  mountsFrom(c.Mounts),
	}
	if c.NetworkSettings != nil {
		out.Networks = slices.Sorted(maps.Keys(c.NetworkSettings.Networks))
		out.NetworkIDs = networkIDsOf(c.NetworkSettings.Networks)
	}
	out.ExitCode = exitCodeFromStatus(c.Status)
	out.Health = healthFromStatus(c.Status)
	if c.Health != nil && c.Health.Status != container.NoHealthcheck && out.State == engine.StateRunning {
		out.Health = engine.Health(c.Health.Status) // newer engines say it outright
	}
	return out
}

// networkIDsOf lists the IDs of a container's networks, sorted.
func networkIDsOf(nets map[string]*network.EndpointSettings) []string {
	var ids []string
	for _, es := range nets {
		if es != nil && es.NetworkID != "" {
			ids = append(ids, es.NetworkID)
		}
	}
	slices.Sort(ids)
	return ids
}

// canonicalName picks the container's own name among the list's names;
// the others are link aliases ("/other/alias").
func canonicalName(names []string) string {
	for _, n := range names {
		if strings.LastIndex(n, "/") == 0 {
			return n[1:]
		}
	}
	if len(names) > 0 {
		return strings.TrimPrefix(names[0], "/")
	}
	return ""
}

// exitCodeFromStatus reads the last exit code from "Exited (137) 2 seconds
// ago" or "Restarting (1) 3 seconds ago"; other states report none (0).
func exitCodeFromStatus(status string) int {
	rest, ok := strings.CutPrefix(status, "Exited (")
	if !ok {
		rest, ok = strings.CutPrefix(status, "Restarting (")
	}
	if !ok {
		return 0
	}
	num, _, ok := strings.Cut(rest, ")")
	if !ok {
		return 0
	}
	code, err := strconv.Atoi(num)
	if err != nil {
		return 0
	}
	return code
}

// healthFromStatus reads the health of a running container from the
// suffix of "Up 3 seconds (healthy)", "(unhealthy)" or "(health:
// starting)". A paused container's status ("(Paused)") tells no health.
func healthFromStatus(status string) engine.Health {
	if !strings.HasPrefix(status, "Up ") || !strings.HasSuffix(status, ")") {
		return engine.HealthNone
	}
	i := strings.LastIndex(status, " (")
	if i < 0 {
		return engine.HealthNone
	}
	switch status[i+2 : len(status)-1] {
	case "health: starting":
		return engine.HealthStarting
	case "healthy":
		return engine.HealthHealthy
	case "unhealthy":
		return engine.HealthUnhealthy
	}
	return engine.HealthNone
}

// portsFromSummary lists the list's ports (published, and exposed ones with
// no host port) in the order inspect's are sorted.
func portsFromSummary(ps []container.PortSummary) []engine.Port {
	var out []engine.Port
	for _, p := range ps {
		hostIP := ""
		if p.IP.IsValid() {
			hostIP = p.IP.String()
		}
		out = append(out, engine.Port{HostIP: hostIP, HostPort: p.PublicPort, ContainerPort: p.PrivatePort, Protocol: p.Type})
	}
	slices.SortFunc(out, comparePorts)
	return out
}
