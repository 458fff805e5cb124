package fake

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"strings"

	"berth/engine"
)

// CommitContainer makes an image from the container: the fake's images
// hold no files, so the new image carries the labels of the container's
// image and of LABEL changes.
func (e *Engine) CommitContainer(ctx context.Context, id string, o engine.CommitOptions) (string, error) {
	c, err := e.lockContainer(ctx, "CommitContainer", id)
	if err != nil {
		return "", err
	}
	defer e.mu.Unlock()
	labels := map[string]string{}
	if img, ok := e.images[c.imageID]; ok {
		maps.Copy(labels, img.labels)
	}
	maps.Copy(labels, changeLabels(o.Changes))
	return e.addImageLocked([]string{o.Ref}, labels), nil
}

// changeLabels are the labels "LABEL k=v" changes set.
func changeLabels(changes []string) map[string]string {
	labels := map[string]string{}
	for _, ch := range changes {
		if rest, ok := strings.CutPrefix(ch, "LABEL "); ok {
			k, v, _ := strings.Cut(strings.TrimSpace(rest), "=")
			labels[k] = strings.Trim(v, `"`)
		}
	}
	return labels
}

// Export is a tar of the container's own files (not its volumes or binds,
// as the engine's export leaves mounts out), sorted by name.
func (e *Engine) Export(ctx context.Context, id string) (io.ReadCloser, error) {
	c, err := e.lockContainer(ctx, "Export", id)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(c.files)) {
		if err := writeTarFile(tw, strings.TrimPrefix(name, "/"), c.files[name]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return io.NopCloser(&buf), nil
}
