package bench

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"berth/project"

	"github.com/moby/moby/client"
	"golang.org/x/sync/errgroup"
)

// projects are the project names this run has used; every one is swept at
// the end, on failure and on Ctrl-C.
var projects struct {
	sync.Mutex
	names []string
}

func remember(name string) {
	projects.Lock()
	defer projects.Unlock()
	projects.names = append(projects.names, name)
}

// sweepAll removes what every project of this run left behind.
func sweepAll() {
	projects.Lock()
	names := append([]string(nil), projects.names...)
	projects.Unlock()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: sweep:", err)
		return
	}
	defer cli.Close()
	for _, name := range names {
		if _, err := sweep(context.Background(), cli, name); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
}

// sweepOnSignal sweeps when the run is interrupted, then exits.
func sweepOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, "bench: interrupted; removing the benchmark projects")
		sweepAll()
		os.Exit(130)
	}()
}

// sweep force-removes every container and network labelled as project name
// and says how many it found: after a tool's `down` it must find none.
func sweep(ctx context.Context, cli *client.Client, name string) (int, error) {
	filter := make(client.Filters).Add("label", project.LabelProject+"="+name)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return 0, fmt.Errorf("sweep %q: %w", name, err)
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range cs.Items {
		g.Go(func() error {
			_, err := cli.ContainerRemove(gctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return len(cs.Items), fmt.Errorf("sweep %q: %w", name, err)
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return len(cs.Items), fmt.Errorf("sweep %q: %w", name, err)
	}
	for _, n := range ns.Items {
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
			return len(cs.Items) + len(ns.Items), fmt.Errorf("sweep %q: %w", name, err)
		}
	}
	return len(cs.Items) + len(ns.Items), nil
}
