package testengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/moby/moby/client"
)

// LoadImages copies images from the engine at source (empty: the docker
// client's environment, DOCKER_HOST or the default socket) into e: the
// source's image save streamed into e's image load, through the API, with
// no docker CLI and no temporary file. Labels come along, so
// internal/testimages finds the copies up to date.
func (e *Engine) LoadImages(ctx context.Context, source string, images ...string) error {
	var srcOpt client.Opt = client.FromEnv
	if source != "" {
		srcOpt = client.WithHost(source)
	}
	src, err := client.New(srcOpt)
	if err != nil {
		return fmt.Errorf("testengine: image source: %w", err)
	}
	defer src.Close()
	dst, err := client.New(client.WithHost(e.Host))
	if err != nil {
		return err
	}
	defer dst.Close()

	saved, err := src.ImageSave(ctx, images)
	if err != nil {
		return fmt.Errorf("testengine: save %v from the source engine: %w", images, err)
	}
	defer saved.Close()
	loaded, err := dst.ImageLoad(ctx, saved, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("testengine: load %v into %s: %w", images, e.Name, err)
	}
	defer loaded.Close()
	return loadResult(loaded)
}

// loadResult reads the load's JSON message stream to its end: an error
// arrives there, not in the HTTP status.
func loadResult(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("testengine: image load: %w", err)
		}
		if msg.ErrorDetail != nil && msg.ErrorDetail.Message != "" {
			return fmt.Errorf("testengine: image load: %s", msg.ErrorDetail.Message)
		}
		if msg.Error != "" {
			return fmt.Errorf("testengine: image load: %s", msg.Error)
		}
	}
}
