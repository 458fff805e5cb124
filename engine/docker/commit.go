package docker

import (
	"context"
	"io"

	"github.com/moby/moby/client"

	"berth/engine"
)

// CommitContainer makes an image of the container.
func (e *Engine) CommitContainer(ctx context.Context, id string, o engine.CommitOptions) (string, error) {
	res, err := e.cli.ContainerCommit(ctx, id, client.ContainerCommitOptions{
		Reference: o.Ref, Comment: o.Message, Author: o.Author, Changes: o.Changes, NoPause: o.NoPause,
	})
	if err != nil {
		return "", wrap("container", id, err)
	}
	return res.ID, nil
}

// Export streams the container's filesystem as a tar.
func (e *Engine) Export(ctx context.Context, id string) (io.ReadCloser, error) {
	rc, err := e.cli.ContainerExport(ctx, id, client.ContainerExportOptions{})
	if err != nil {
		return nil, wrap("container", id, err)
	}
	return rc, nil
}
