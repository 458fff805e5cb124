package docker

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/project"
)

var _ engine.Inspection = (*Engine)(nil)

// Top lists the container's processes.
func (e *Engine) Top(ctx context.Context, id string, psArgs []string) ([]string, [][]string, error) {
	res, err := e.cli.ContainerTop(ctx, id, client.ContainerTopOptions{Arguments: psArgs})
	if err != nil {
		return nil, nil, wrap("container", id, err)
	}
	return res.Titles, res.Processes, nil
}

// Stats takes one sample, with the engine's previous one so the CPU share
// can be computed (the engine waits about a second for it).
func (e *Engine) Stats(ctx context.Context, id string) (engine.Stats, error) {
	res, err := e.cli.ContainerStats(ctx, id, client.ContainerStatsOptions{IncludePreviousSample: true})
	if err != nil {
		return engine.Stats{}, wrap("container", id, err)
	}
	defer res.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return engine.Stats{}, wrap("stats of container", id, err)
	}
	return statsOf(s), nil
}

// statsOf computes what `docker stats` shows from one sample: the CPU share
// since the previous sample across all CPUs, memory without the page cache.
func statsOf(s container.StatsResponse) engine.Stats {
	out := engine.Stats{MemLimit: s.MemoryStats.Limit, PIDs: s.PidsStats.Current}
	out.MemUsage = s.MemoryStats.Usage
	for _, k := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := s.MemoryStats.Stats[k]; ok && v < out.MemUsage {
			out.MemUsage -= v
			break
		}
	}
	if out.MemLimit > 0 {
		out.MemPercent = float64(out.MemUsage) / float64(out.MemLimit) * 100
	}
	cpu := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	system := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	cpus := float64(s.CPUStats.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpu > 0 && system > 0 {
		out.CPUPercent = cpu / system * cpus * 100
	}
	for _, n := range s.Networks {
		out.NetRx += n.RxBytes
		out.NetTx += n.TxBytes
	}
	for _, b := range s.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(b.Op) {
		case "read":
			out.BlockRead += b.Value
		case "write":
			out.BlockWrite += b.Value
		}
	}
	return out
}

// ListAllProjects lists the containers that carry a project label, sorted
// by project, then name.
func (e *Engine) ListAllProjects(ctx context.Context, all bool) ([]engine.Container, error) {
	filters := make(client.Filters).Add("label", project.LabelProject)
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: all, Filters: filters})
	if err != nil {
		return nil, wrap("list", "containers", err)
	}
	out := make([]engine.Container, 0, len(res.Items))
	for _, c := range res.Items {
		out = append(out, fromSummary(c))
	}
	slices.SortFunc(out, func(a, b engine.Container) int {
		if c := strings.Compare(a.Labels[project.LabelProject], b.Labels[project.LabelProject]); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}
