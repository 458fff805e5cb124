package raw

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
	"golang.org/x/sync/errgroup"
)

// Pull is the raw limit of `pull`: every reference pulled at once, each
// one Engine API call whose message stream is read to its end (the pull
// is done only then) and otherwise ignored: no progress is rendered.
func Pull(ctx context.Context, cli *client.Client, refs []string) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, ref := range refs {
		g.Go(func() error { return pullOne(ctx, cli, ref) })
	}
	return g.Wait()
}

func pullOne(ctx context.Context, cli *client.Client, ref string) error {
	res, err := cli.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return fmt.Errorf("raw: pull %q: %w", ref, err)
	}
	if err := res.Wait(ctx); err != nil {
		return fmt.Errorf("raw: pull %q: %w", ref, err)
	}
	return nil
}
