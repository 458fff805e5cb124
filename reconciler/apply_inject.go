package reconciler

import (
	"archive/tar"
	"bytes"
	"context"
	"strings"
	"time"
)

// inject writes the secrets and configs given by environment: or content:
// into the created container, through the engine's archive API, before it
// starts: the way Docker Compose provides them without a host file.
func (a *applier) inject(ctx context.Context, act Action) error {
	if len(act.Inject) == 0 {
		return nil
	}
	body, err := injectTar(act.Inject)
	if err != nil {
		return failure(act, "write secrets and configs into container", err)
	}
	return failure(act, "write secrets and configs into container", a.eng.CopyTo(ctx, act.Target, "/", body, true))
}

// injectTar is the tar of the files, paths relative to "/"; the engine
// makes the missing parent directories.
func injectTar(files []InjectedFile) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	for _, f := range files {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(f.Path, "/"), Size: int64(len(f.Content)),
			Mode: int64(f.Mode), Uid: f.UID, Gid: f.GID, ModTime: now}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Content); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}
