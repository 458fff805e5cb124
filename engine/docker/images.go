package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	mbuild "github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/imagebuild"
)

// InspectImage reports an image by ID or reference.
func (e *Engine) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	res, err := e.cli.ImageInspect(ctx, ref)
	if err != nil {
		return engine.Image{}, wrap("image", ref, err)
	}
	img := engine.Image{ID: res.ID, RepoTags: res.RepoTags, Created: parseTime(res.Created), Size: res.Size}
	if res.Config != nil {
		img.Labels = res.Config.Labels
	}
	img.LastTagTime = res.Metadata.LastTagTime
	return img, nil
}

// BuildImage runs a build on the engine's BuildKit where it has one
// (buildkit.go), else, or when the request asks for it, on the classic
// builder. out hears first which builder runs.
func (e *Engine) BuildImage(ctx context.Context, req imagebuild.Request, out imagebuild.Output) (string, error) {
	if req.Context == nil {
		return "", fmt.Errorf("build %q: no build context", buildName(req))
	}
	if out == nil {
		out = func(imagebuild.Message) {}
	}
	if e.buildKit && !req.Classic {
		out(imagebuild.Message{Builder: imagebuild.BuilderBuildKit})
		return e.buildKitImage(ctx, req, out)
	}
	out(imagebuild.Message{Builder: imagebuild.BuilderClassic})
	return e.classicImage(ctx, req, out)
}

// classicImage runs a build on the classic builder, which every engine
// has. Each line of the build's output goes to out.
func (e *Engine) classicImage(ctx context.Context, req imagebuild.Request, out imagebuild.Output) (string, error) {
	return e.build(ctx, req, req.Context, buildOptions(req), readBuildStream, out)
}

// build posts one build and reads its stream with read, which knows the
// builder's message format. The image's ID comes from the stream, else
// (an engine that does not send it) from its first tag.
func (e *Engine) build(ctx context.Context, req imagebuild.Request, body io.Reader, opts client.ImageBuildOptions,
	read func(io.Reader, imagebuild.Output) (string, error), out imagebuild.Output) (string, error) {
	name := buildName(req)
	res, err := e.cli.ImageBuild(ctx, body, opts)
	if err != nil {
		return "", wrap("build", name, err)
	}
	defer res.Body.Close()
	id, err := read(res.Body, out)
	if err != nil {
		return "", wrap("build", name, err)
	}
	if id == "" && len(req.Tags) > 0 {
		img, err := e.InspectImage(ctx, req.Tags[0])
		if err != nil {
			return "", err
		}
		id = img.ID
	}
	return id, nil
}

// buildName names a build in messages: its image, else its service.
func buildName(req imagebuild.Request) string {
	if len(req.Tags) > 0 {
		return req.Tags[0]
	}
	return req.Service
}

// buildOptions maps a imagebuild.Request to the classic builder's parameters.
func buildOptions(req imagebuild.Request) client.ImageBuildOptions {
	dockerfile := req.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	return client.ImageBuildOptions{
		Version:     mbuild.BuilderV1,
		Tags:        req.Tags,
		Dockerfile:  dockerfile,
		BuildArgs:   req.Args,
		Target:      req.Target,
		Labels:      req.Labels,
		NoCache:     req.NoCache,
		CacheFrom:   req.CacheFrom,
		NetworkMode: req.Network,
		ExtraHosts:  req.ExtraHosts,
		ShmSize:     req.ShmSize,
		Memory:      req.Memory,
		PullParent:  req.Pull,
		Remove:      true,
		ForceRemove: true,
	}
}

// streamMessage is one JSON message of a build or import stream.
type streamMessage struct {
	Stream      string `json:"stream"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Aux json.RawMessage `json:"aux"`
}

// readBuildStream follows the classic builder's output: "stream" text goes
// to out line by line, an error ends the build with the engine's message,
// and the image ID comes from the aux message or "Successfully built".
func readBuildStream(r io.Reader, out imagebuild.Output) (string, error) {
	lines := &lineWriter{out: out}
	defer lines.flush()
	var id string
	dec := json.NewDecoder(r)
	for {
		var m streamMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return id, nil
		} else if err != nil {
			return "", fmt.Errorf("reading the build output: %w", err)
		}
		if msg := m.errorMessage(); msg != "" {
			lines.flush()
			return "", &engineError{err: errors.New(msg)}
		}
		lines.write(m.Stream)
		if m.Status != "" {
			lines.write(m.Status + "\n")
		}
		if auxID := auxImageID(m.Aux); auxID != "" {
			id = auxID
		} else if built, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), "Successfully built "); ok && id == "" {
			id = built
		}
	}
}

func (m streamMessage) errorMessage() string {
	if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
		return m.ErrorDetail.Message
	}
	return m.Error
}

// auxImageID reads {"ID": "sha256:…"} from an aux message.
func auxImageID(aux json.RawMessage) string {
	if len(aux) == 0 {
		return ""
	}
	var v struct{ ID string }
	if json.Unmarshal(aux, &v) != nil {
		return ""
	}
	return v.ID
}

// lineWriter cuts streamed text into whole lines for a imagebuild.Output.
type lineWriter struct {
	out     imagebuild.Output
	pending bytes.Buffer
}

func (w *lineWriter) write(s string) {
	if w.out == nil || s == "" {
		return
	}
	w.pending.WriteString(s)
	for {
		line, rest, ok := strings.Cut(w.pending.String(), "\n")
		if !ok {
			return
		}
		w.pending.Reset()
		w.pending.WriteString(rest)
		w.out(imagebuild.Message{Line: strings.TrimRight(line, "\r")})
	}
}

func (w *lineWriter) flush() {
	if w.out != nil && w.pending.Len() > 0 {
		w.out(imagebuild.Message{Line: w.pending.String()})
		w.pending.Reset()
	}
}

// ImportImage makes an image from a root filesystem tarball; changes are
// Dockerfile instructions applied to its config (CMD, ENV, …).
func (e *Engine) ImportImage(ctx context.Context, rootfs io.Reader, ref string, changes []string) (string, error) {
	rc, err := e.cli.ImageImport(ctx, client.ImageImportSource{Source: rootfs, SourceName: "-"}, ref, client.ImageImportOptions{Changes: changes})
	if err != nil {
		return "", wrap("image", ref, err)
	}
	defer rc.Close()
	var id string
	dec := json.NewDecoder(rc)
	for {
		var m streamMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", wrap("image", ref, err)
		}
		if msg := m.errorMessage(); msg != "" {
			return "", wrap("image", ref, errors.New(msg))
		}
		if strings.HasPrefix(m.Status, "sha256:") {
			id = strings.TrimSpace(m.Status)
		}
	}
	return id, nil
}

// RemoveImage removes the image (force: also when tagged several times or
// used by stopped containers).
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) error {
	_, err := e.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: force, PruneChildren: true})
	return wrap("image", ref, err)
}
