package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"berth/engine"
	"berth/network"
)

// ensureNetwork makes sure the network spec describes exists and returns its ID. It
// is idempotent and safe when several callers race on the same name: the
// loser of a create race finds the winner's network.
func ensureNetwork(ctx context.Context, api engine.Networks, spec network.Spec) (string, error) {
	info, err := api.InspectNetwork(ctx, spec.Name)
	if err == nil {
		return info.ID, nil
	}
	if !errors.Is(err, engine.ErrNotFound) {
		return "", fmt.Errorf("inspect network %q: %w", spec.Name, err)
	}
	id, err := api.CreateNetwork(ctx, spec)
	if errors.Is(err, engine.ErrExists) { // another run created it first
		info, err = api.InspectNetwork(ctx, spec.Name)
		if err != nil {
			return "", fmt.Errorf("inspect network %q: %w", spec.Name, err)
		}
		return info.ID, nil
	}
	if err != nil {
		return "", fmt.Errorf("create network %q: %w%s", spec.Name, err, poolHint(err))
	}
	return id, nil
}

// poolHint says what to do when the engine has no address range left for
// a new network: networks left behind (a test suite whose cleanup failed
// leaks them) hold every range of its default-address-pools.
func poolHint(err error) string {
	msg := err.Error()
	if !strings.Contains(msg, "non-overlapping") && !strings.Contains(msg, "address pool") {
		return ""
	}
	return " (the engine's address pools are used up: remove the networks nothing uses, `docker network prune`, " +
		"or give the engine more or larger ranges with `default-address-pools` in its daemon.json)"
}

// removeNetwork deletes the network; a network that is already gone is not an error,
// so two concurrent `down` runs both succeed.
func removeNetwork(ctx context.Context, api engine.Networks, name string) error {
	err := api.RemoveNetwork(ctx, name)
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return fmt.Errorf("remove network %q: %w%s", name, err, endpointsHint(err))
	}
	return nil
}

// endpointsHint explains a removal refused for active endpoints. Besides
// the plain case (a container outside the project still attached), Engine
// 20.10 can count an endpoint no container holds after it was killed: its
// API offers no way to clear that count, a restart of the engine does
// (it recounts at start), and the network can be used meanwhile.
func endpointsHint(err error) string {
	if !strings.Contains(err.Error(), "has active endpoints") {
		return ""
	}
	return " (disconnect the containers still attached to it, `docker network inspect` lists them; " +
		"if it lists none, the engine miscounts its endpoints, as Docker Engine 20.10 can after a crash: " +
		"restarting the engine clears the count)"
}
