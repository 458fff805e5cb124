package network

import (
	"context"
	"errors"
	"fmt"
)

// Ensure makes sure the network spec describes exists and returns its ID. It
// is idempotent and safe when several callers race on the same name: the
// loser of a create race finds the winner's network.
func Ensure(ctx context.Context, api API, spec Spec) (string, error) {
	info, err := api.InspectNetwork(ctx, spec.Name)
	if err == nil {
		return info.ID, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("inspect network %q: %w", spec.Name, err)
	}
	id, err := api.CreateNetwork(ctx, spec)
	if errors.Is(err, ErrExists) { // another run created it first
		info, err = api.InspectNetwork(ctx, spec.Name)
		if err != nil {
			return "", fmt.Errorf("inspect network %q: %w", spec.Name, err)
		}
		return info.ID, nil
	}
	if err != nil {
		return "", fmt.Errorf("create network %q: %w", spec.Name, err)
	}
	return id, nil
}

// Remove deletes the network; a network that is already gone is not an error,
// so two concurrent `down` runs both succeed.
func Remove(ctx context.Context, api API, name string) error {
	err := api.RemoveNetwork(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	return nil
}
