package docker

import (
	"context"

	"github.com/moby/moby/client"

	"berth/reconciler"
)

// NetworkDisconnects streams the engine's network disconnect events of the
// named networks; the engine has subscribed when it returns.
func (e *Engine) NetworkDisconnects(ctx context.Context, networks []string) (<-chan reconciler.NetworkDisconnect, <-chan error) {
	filters := make(client.Filters).Add("type", "network").Add("event", "disconnect")
	for _, n := range networks {
		filters.Add("network", n)
	}
	res := e.cli.Events(ctx, client.EventsListOptions{Filters: filters})
	out, errs := make(chan reconciler.NetworkDisconnect, eventBuffer), make(chan error, 1)
	go func() {
		defer close(errs)
		defer close(out)
		for {
			select {
			case m := <-res.Messages:
				ev := reconciler.NetworkDisconnect{Network: m.Actor.Attributes["name"], ContainerID: m.Actor.Attributes["container"]}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case err := <-res.Err:
				if err != nil && ctx.Err() == nil {
					errs <- wrap("disconnects of networks", networks[0], err)
				}
				return
			}
		}
	}()
	return out, errs
}
