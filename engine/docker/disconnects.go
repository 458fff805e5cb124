package docker

import (
	"context"

	"berth/engine"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
)

// NetworkDisconnects streams the engine's network disconnect events of the
// named networks; the engine has subscribed when it returns.
func (e *Engine) NetworkDisconnects(ctx context.Context, networks []string) (<-chan engine.NetworkDisconnect, <-chan error) {
	filters := make(client.Filters).Add("type", "network").Add("event", "disconnect")
	for _, n := range networks {
		filters.Add("network", n)
	}
	res := e.cli.Events(ctx, client.EventsListOptions{Filters: filters})
	return relay(ctx, res, disconnectOf, "disconnects of networks", networks[0])
}

// disconnectOf maps a network disconnect event.
func disconnectOf(m events.Message) (engine.NetworkDisconnect, bool) {
	return engine.NetworkDisconnect{Network: m.Actor.Attributes["name"], ContainerID: m.Actor.Attributes["container"]}, true
}
