package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"

	"berth/engine"
	"berth/registry"
)

// digestResolver pins image references for config --resolve-image-digests
// and publish --resolve-image-digests: the engine asks the registry which
// digest each tag stands for (the multi-platform index's, so the pinned file
// runs anywhere), with the login the docker CLI's configuration holds for
// the registry. compose-go's WithImagesResolved calls it once per image.
func (a *app) digestResolver(ctx context.Context) func(reference.Named) (digest.Digest, error) {
	creds := registry.NewCredentials(a.environ)
	return func(named reference.Named) (digest.Digest, error) {
		eng, err := a.engine(ctx)
		if err != nil {
			return "", err
		}
		auth, err := engineAuth(creds, reference.Domain(named))
		if err != nil {
			return "", fmt.Errorf("failed to resolve digest for %s: %w", named, err)
		}
		d, err := eng.ResolveDigest(ctx, named.String(), auth)
		if err != nil {
			return "", fmt.Errorf("failed to resolve digest for %s: %w", named, err)
		}
		return digest.Parse(d)
	}
}

// engineAuth is the docker CLI's login for host, as the engine takes it
// (nil when there is none).
func engineAuth(creds *registry.Credentials, host string) (*engine.Auth, error) {
	l, err := creds.For(host)
	if err != nil || l == nil {
		return nil, err
	}
	return &engine.Auth{Username: l.Username, Password: l.Password, IdentityToken: l.IdentityToken, ServerAddress: l.ServerAddress}, nil
}

// hooksNotLockable is Docker Compose's warning for pre_start hooks with an
// image of their own: compose files append hook lists when merged, so an
// override cannot pin a hook's image without running the hook twice.
const hooksNotLockable = "WARN service %q: pre_start hook images are not pinned in the override file produced by --lock-image-digests, use the full --resolve-image-digests output to pin them\n"

// lockedImages is what --lock-image-digests prints: an override file that
// holds, per service, only its image and its `type: image` volumes, so
// that merged over the project it pins what runs.
func lockedImages(p *types.Project, warn io.Writer) *types.Project {
	services := types.Services{}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if slices.ContainsFunc(s.PreStart, func(h types.ServiceHook) bool { return h.Image != "" }) {
			fmt.Fprintf(warn, hooksNotLockable, name)
		}
		locked := types.ServiceConfig{Image: s.Image}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeImage {
				locked.Volumes = append(locked.Volumes, v)
			}
		}
		services[name] = locked
	}
	return &types.Project{Services: services}
}

// resolveModelDigests pins the images of the raw model (config
// --no-interpolate): the services' images, their pre_start hooks' images
// and the sources of `type: image` volumes, through the same
// WithImagesResolved as the loaded project, written back in place. Values
// still holding a ${VAR} fail to parse, as they do in Docker Compose.
func resolveModelDigests(model map[string]any, resolve func(reference.Named) (digest.Digest, error)) error {
	services, _ := model["services"].(map[string]any)
	if len(services) == 0 {
		return nil
	}
	p := &types.Project{Services: types.Services{}}
	for name, raw := range services {
		s, _ := raw.(map[string]any)
		var config types.ServiceConfig
		config.Image, _ = s["image"].(string)
		for _, hook := range modelList(s, "pre_start") {
			image, _ := hook["image"].(string)
			config.PreStart = append(config.PreStart, types.ServiceHook{Image: image})
		}
		for _, v := range imageVolumes(s) {
			source, _ := v["source"].(string)
			config.Volumes = append(config.Volumes, types.ServiceVolumeConfig{Type: types.VolumeTypeImage, Source: source})
		}
		p.Services[name] = config
	}
	p, err := p.WithImagesResolved(resolve)
	if err != nil {
		return err
	}
	for name, raw := range services {
		s, _ := raw.(map[string]any)
		config := p.Services[name]
		if config.Image != "" {
			s["image"] = config.Image
		}
		for i, hook := range modelList(s, "pre_start") {
			if image := config.PreStart[i].Image; image != "" {
				hook["image"] = image
			}
		}
		for i, v := range imageVolumes(s) {
			if source := config.Volumes[i].Source; source != "" {
				v["source"] = source
			}
		}
	}
	return nil
}

// lockModel reduces the raw model to the override --lock-image-digests
// prints: services with their image and `type: image` volumes only.
func lockModel(model map[string]any, warn io.Writer) {
	for key := range model {
		if key != "services" {
			delete(model, key)
		}
	}
	services, _ := model["services"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(services)) {
		s, _ := services[name].(map[string]any)
		if slices.ContainsFunc(modelList(s, "pre_start"), func(h map[string]any) bool { return h["image"] != nil && h["image"] != "" }) {
			fmt.Fprintf(warn, hooksNotLockable, name)
		}
		volumes := imageVolumes(s)
		for key := range s {
			if key != "image" {
				delete(s, key)
			}
		}
		if len(volumes) > 0 {
			list := make([]any, len(volumes)) // the raw model's own list type
			for i, v := range volumes {
				list[i] = v
			}
			s["volumes"] = list
		}
	}
}

// modelList is the list of mappings under key in a raw service.
func modelList(s map[string]any, key string) []map[string]any {
	items, _ := s[key].([]any)
	var out []map[string]any
	for _, item := range items {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// imageVolumes are the raw service's `type: image` volumes.
func imageVolumes(s map[string]any) []map[string]any {
	var out []map[string]any
	for _, v := range modelList(s, "volumes") {
		if v["type"] == types.VolumeTypeImage {
			out = append(out, v)
		}
	}
	return out
}
