package fake

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"berth/engine"
	"berth/imagebuild"
)

// image is one image.
type image struct {
	id      string // sha256:<64 hex>
	labels  map[string]string
	created time.Time
	lastTag time.Time // the last TagImage call
}

// BuildRecord is one BuildImage call as the fake saw it: the request
// without its context stream, and the files that stream held.
type BuildRecord struct {
	Request imagebuild.Request
	Files   map[string]string
	ID      string
}

// normalize is the reference the engine stores: docker.io/library/ and
// docker.io/ dropped, :latest added when no tag or digest is given.
func normalize(ref string) string {
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "docker.io/library/"), "docker.io/")
	last := ref[strings.LastIndex(ref, "/")+1:]
	if ref != "" && !strings.ContainsAny(last, ":@") {
		ref += ":latest"
	}
	return ref
}

// resolveImage finds an image by reference, ID or unique ID prefix.
// Callers hold e.mu.
func (e *Engine) resolveImage(ref string) *image {
	if id, ok := e.tags[normalize(ref)]; ok {
		return e.images[id]
	}
	if img, ok := e.images[ref]; ok {
		return img
	}
	if img, ok := e.images["sha256:"+ref]; ok {
		return img
	}
	var found *image
	for id, img := range e.images {
		if len(ref) >= 4 && strings.HasPrefix(strings.TrimPrefix(id, "sha256:"), strings.TrimPrefix(ref, "sha256:")) {
			if found != nil {
				return nil
			}
			found = img
		}
	}
	return found
}

// AddImage makes an image known under ref, as if it had been pulled, and
// returns its ID; ref moves from any image that had it.
func (e *Engine) AddImage(ref string, labels map[string]string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addImageLocked([]string{ref}, labels)
}

func (e *Engine) addImageLocked(refs []string, labels map[string]string) string {
	img := &image{id: "sha256:" + newID(), labels: maps.Clone(labels), created: time.Now()}
	e.images[img.id] = img
	for _, ref := range refs {
		if ref != "" {
			e.tags[normalize(ref)] = img.id
		}
	}
	return img.id
}

// tagsLocked are the references of image id, sorted.
func (e *Engine) tagsLocked(id string) []string {
	var out []string
	for ref, to := range e.tags {
		if to == id {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

// InspectImage reports one image.
func (e *Engine) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	if err := e.enter(ctx, "InspectImage", ref); err != nil {
		return engine.Image{}, wrap("image", ref, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	img := e.resolveImage(ref)
	if img == nil {
		return engine.Image{}, wrap("image", ref, notFound("No such image: %s", ref))
	}
	return engine.Image{ID: img.id, RepoTags: e.tagsLocked(img.id), Labels: maps.Clone(img.labels),
		Created: img.created, Size: 1 << 20, LastTagTime: img.lastTag}, nil
}

// BuildImage records the build and makes an image with the request's tags
// and labels. It reads the context (a tar stream) to its end and fails, as
// the engine does, when the Dockerfile is not in it.
func (e *Engine) BuildImage(ctx context.Context, req imagebuild.Request, out imagebuild.Output) (string, error) {
	target := ""
	if len(req.Tags) > 0 {
		target = req.Tags[0]
	}
	if err := e.enter(ctx, "BuildImage", target); err != nil {
		return "", wrap("image", target, err)
	}
	emitMessage(out, imagebuild.Message{Builder: imagebuild.BuilderClassic})
	files, err := readContext(req)
	if err != nil {
		return "", wrap("image", target, err)
	}
	steps := dockerfileSteps(files[dockerfileName(req)])
	for i, s := range steps {
		emit(out, fmt.Sprintf("Step %d/%d : %s", i+1, len(steps), s))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	id := e.addImageLocked(req.Tags, req.Labels)
	rec := req
	rec.Context = nil
	e.builds = append(e.builds, BuildRecord{Request: rec, Files: files, ID: id})
	emit(out, "Successfully built "+strings.TrimPrefix(id, "sha256:")[:12])
	for _, t := range req.Tags {
		emit(out, "Successfully tagged "+normalize(t))
	}
	return id, nil
}

func emit(out imagebuild.Output, line string) {
	emitMessage(out, imagebuild.Message{Line: line})
}

func emitMessage(out imagebuild.Output, m imagebuild.Message) {
	if out != nil {
		out(m)
	}
}

func dockerfileName(req imagebuild.Request) string {
	if req.Dockerfile == "" {
		return "Dockerfile"
	}
	return strings.TrimPrefix(req.Dockerfile, "./")
}

// readContext reads the build context's files; a request without a
// context (imagebuild.NewRequest's stub) has none and needs no Dockerfile.
func readContext(req imagebuild.Request) (map[string]string, error) {
	files := map[string]string{}
	if req.Context == nil {
		return files, nil
	}
	tr := tar.NewReader(req.Context)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, plain("read build context: %v", err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, plain("read build context: %v", err)
		}
		files[strings.TrimPrefix(hdr.Name, "./")] = string(b)
	}
	_, _ = io.Copy(io.Discard, req.Context) // a tar stream may carry padding after its end
	if _, ok := files[dockerfileName(req)]; !ok {
		return nil, plain("Cannot locate specified Dockerfile: %s", dockerfileName(req))
	}
	return files, nil
}

// dockerfileSteps are the Dockerfile's instructions, one a line.
func dockerfileSteps(src string) []string {
	var steps []string
	for _, l := range strings.Split(src, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			steps = append(steps, l)
		}
	}
	return steps
}

// Builds are the builds made so far, oldest first.
func (e *Engine) Builds() []BuildRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.builds)
}

// ImportImage makes an image from a root filesystem tarball; LABEL changes
// ("LABEL k=v") become its labels.
func (e *Engine) ImportImage(ctx context.Context, rootfs io.Reader, ref string, changes []string) (string, error) {
	if err := e.enter(ctx, "ImportImage", ref); err != nil {
		return "", wrap("image", ref, err)
	}
	if _, err := io.Copy(io.Discard, rootfs); err != nil {
		return "", wrap("image", ref, plain("read root filesystem: %v", err))
	}
	labels := changeLabels(changes)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addImageLocked([]string{ref}, labels), nil
}

// RemoveImage untags ref, and removes the image when it has no tag left;
// an image a container uses needs force.
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) error {
	if err := e.enter(ctx, "RemoveImage", ref); err != nil {
		return wrap("image", ref, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	img := e.resolveImage(ref)
	if img == nil {
		return wrap("image", ref, notFound("No such image: %s", ref))
	}
	tags := e.tagsLocked(img.id)
	if _, isTag := e.tags[normalize(ref)]; isTag && len(tags) > 1 {
		delete(e.tags, normalize(ref))
		return nil
	}
	if !force {
		for _, c := range e.containers {
			if c.imageID == img.id {
				return wrap("image", ref, plain("conflict: unable to remove repository reference %q (must force) - "+
					"container %s is using its referenced image %s", ref, c.id[:12], img.id[7:19]))
			}
		}
	}
	for _, t := range tags {
		delete(e.tags, t)
	}
	delete(e.images, img.id)
	return nil
}
