package docker

import (
	"context"
	"io"

	"berth/engine"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

var _ engine.Archive = (*Engine)(nil)

// StatPath describes a path in the container.
func (e *Engine) StatPath(ctx context.Context, id, path string) (engine.PathStat, error) {
	res, err := e.cli.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: path})
	if err != nil {
		return engine.PathStat{}, wrap("path", id+":"+path, err)
	}
	return pathStat(res.Stat), nil
}

// CopyFrom returns a tar of the path.
func (e *Engine) CopyFrom(ctx context.Context, id, path string) (io.ReadCloser, engine.PathStat, error) {
	res, err := e.cli.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, engine.PathStat{}, wrap("path", id+":"+path, err)
	}
	return res.Content, pathStat(res.Stat), nil
}

// CopyTo extracts the tar into dir.
func (e *Engine) CopyTo(ctx context.Context, id, dir string, tar io.Reader, copyUIDGID bool) error {
	_, err := e.cli.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: dir, Content: tar, CopyUIDGID: copyUIDGID})
	return wrap("path", id+":"+dir, err)
}

func pathStat(s container.PathStat) engine.PathStat {
	return engine.PathStat{Name: s.Name, Size: s.Size, Mode: s.Mode, Mtime: s.Mtime, LinkTarget: s.LinkTarget}
}
