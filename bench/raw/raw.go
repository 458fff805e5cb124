package raw

import (
	"context"
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"golang.org/x/sync/errgroup"
)

// projectLabel is the label every compose tool finds a project by
// (project.LabelProject; repeated here so this package stays free of the
// compose loader and its start-up cost).
const projectLabel = "com.docker.compose.project"

// Up is a cold `up -d`: one image inspect per image (a compose tool needs the
// image ID for its labels), the network, then every container at once, each
// created and started as soon as what it depends on has started.
func Up(ctx context.Context, cli *client.Client, p Plan) error {
	if err := inspectImages(ctx, cli, p); err != nil {
		return err
	}
	_, err := cli.NetworkCreate(ctx, p.Network.Name, client.NetworkCreateOptions{Driver: "bridge", Labels: p.Network.Labels})
	if err != nil {
		return fmt.Errorf("raw: create network %q: %w", p.Network.Name, err)
	}
	started := map[string]chan struct{}{}
	for _, c := range p.Containers {
		started[c.Name] = make(chan struct{})
	}
	return eachParallel(ctx, p.Containers, func(ctx context.Context, c Container) error {
		if err := create(ctx, cli, p.Network.Name, c); err != nil {
			return err
		}
		for _, dep := range c.After {
			select {
			case <-started[dep]:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if _, err := cli.ContainerStart(ctx, c.Name, client.ContainerStartOptions{}); err != nil {
			return fmt.Errorf("raw: start %q: %w", c.Name, err)
		}
		close(started[c.Name])
		return nil
	})
}

func inspectImages(ctx context.Context, cli *client.Client, p Plan) error {
	seen := map[string]bool{}
	for _, c := range p.Containers {
		if seen[c.Image] {
			continue
		}
		seen[c.Image] = true
		if _, err := cli.ImageInspect(ctx, c.Image); err != nil {
			return fmt.Errorf("raw: image %q: %w", c.Image, err)
		}
	}
	return nil
}

// create makes c the way Docker Compose does for a plain service: attached to
// the project network under its service and container names.
func create(ctx context.Context, cli *client.Client, net string, c Container) error {
	_, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       c.Name,
		Config:     &container.Config{Image: c.Image, Cmd: c.Command, Labels: c.Labels},
		HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(net)},
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			net: {Aliases: []string{c.Service, c.Name}},
		}},
	})
	if err != nil {
		return fmt.Errorf("raw: create %q: %w", c.Name, err)
	}
	return nil
}

// List is both `ps` and a warm `up -d` (which has nothing to do once it has
// seen every container): one list call filtered by the project label.
func List(ctx context.Context, cli *client.Client, p Plan, all bool) (int, error) {
	res, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     all,
		Filters: make(client.Filters).Add("label", projectLabel+"="+p.Project),
	})
	if err != nil {
		return 0, fmt.Errorf("raw: list %q: %w", p.Project, err)
	}
	return len(res.Items), nil
}

// Down stops the containers in reverse dependency order, each level at once,
// then removes them all at once and the network last. A stop returns before
// the engine has released the container's endpoint, so the network is
// removed only once the engine has reported every container disconnected.
func Down(ctx context.Context, cli *client.Client, p Plan) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	disconnects := cli.Events(ctx, client.EventsListOptions{Filters: make(client.Filters).
		Add("type", "network").Add("event", "disconnect").Add("network", p.Network.Name)})
	levels := p.Levels()
	slices.Reverse(levels)
	for _, level := range levels {
		if err := eachParallel(ctx, level, func(ctx context.Context, c Container) error {
			if _, err := cli.ContainerStop(ctx, c.Name, client.ContainerStopOptions{}); err != nil {
				return fmt.Errorf("raw: stop %q: %w", c.Name, err)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if err := eachParallel(ctx, p.Containers, func(ctx context.Context, c Container) error {
		if _, err := cli.ContainerRemove(ctx, c.Name, client.ContainerRemoveOptions{}); err != nil {
			return fmt.Errorf("raw: remove %q: %w", c.Name, err)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := awaitEvents(disconnects, len(p.Containers)); err != nil {
		return fmt.Errorf("raw: network %q: %w", p.Network.Name, err)
	}
	if _, err := cli.NetworkRemove(ctx, p.Network.Name, client.NetworkRemoveOptions{}); err != nil {
		return fmt.Errorf("raw: remove network %q: %w", p.Network.Name, err)
	}
	return nil
}

// awaitEvents waits for n events of a subscription.
func awaitEvents(ev client.EventsResult, n int) error {
	for range n {
		select {
		case <-ev.Messages:
		case err := <-ev.Err:
			return fmt.Errorf("events: %w", err)
		}
	}
	return nil
}

// eachParallel runs fn for every container at once and returns the first error.
func eachParallel(ctx context.Context, cs []Container, fn func(context.Context, Container) error) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, c := range cs {
		g.Go(func() error { return fn(ctx, c) })
	}
	return g.Wait()
}
