package fake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"
	"time"

	"berth/engine"
)

// registryState is the fake's registries, all in one: what was pushed or
// seeded, by reference, and the credentials each host wants.
type registryState struct {
	repos map[string]remoteImage // normalized name:tag → image
	users map[string]engine.Auth // host → the one login it accepts
}

// remoteImage is an image as a registry holds it.
type remoteImage struct {
	id     string
	digest string
	labels map[string]string
}

// layers are the fake layers every pulled image is made of, with sizes, so
// progress has bytes to count.
var layers = []struct {
	id   string
	size int64
}{{"a1b2c3d4e5f6", 3 << 20}, {"0f9e8d7c6b5a", 1 << 20}}

// SeedRegistry puts an image under ref into the fake's registry, as if it
// had been pushed there, and returns its ID; ref moves when seeded again.
func (e *Engine) SeedRegistry(ref string, labels map[string]string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := "sha256:" + newID()
	e.remoteLocked()[normalize(ref)] = remoteImage{id: id, digest: digestOf(id), labels: maps.Clone(labels)}
	return id
}

// RequireAuth makes the registry at host accept only this login.
func (e *Engine) RequireAuth(host string, auth engine.Auth) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.reg.users == nil {
		e.reg.users = map[string]engine.Auth{}
	}
	e.reg.users[host] = auth
}

// RegistryDigest is the digest the registry holds ref under ("" when none).
func (e *Engine) RegistryDigest(ref string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.remoteLocked()[normalize(ref)].digest
}

func (e *Engine) remoteLocked() map[string]remoteImage {
	if e.reg.repos == nil {
		e.reg.repos = map[string]remoteImage{}
	}
	return e.reg.repos
}

func digestOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PullImage copies ref from the registry into the engine, reporting the
// messages the engine sends for a two-layer image.
func (e *Engine) PullImage(ctx context.Context, ref string, opts engine.PullOptions, progress func(engine.TransferProgress)) error {
	if err := e.enter(ctx, "PullImage", ref); err != nil {
		return wrap("image", ref, err)
	}
	e.mu.Lock()
	img, err := e.findRemoteLocked(ref, opts.Auth)
	if err == nil {
		e.storePulledLocked(ref, img)
	}
	e.mu.Unlock()
	if err != nil {
		return wrap("image", ref, err)
	}
	name, _, _ := strings.Cut(normalize(ref), "@")
	report(progress, engine.TransferProgress{Status: "Pulling from " + name})
	for _, l := range layers {
		report(progress, engine.TransferProgress{Layer: l.id, Status: "Pulling fs layer"})
		report(progress, engine.TransferProgress{Layer: l.id, Status: "Downloading", Current: l.size / 2, Total: l.size})
		report(progress, engine.TransferProgress{Layer: l.id, Status: "Download complete"})
		report(progress, engine.TransferProgress{Layer: l.id, Status: "Pull complete"})
	}
	report(progress, engine.TransferProgress{Status: "Digest: " + img.digest})
	report(progress, engine.TransferProgress{Status: "Status: Downloaded newer image for " + normalize(ref)})
	return nil
}

// findRemoteLocked looks ref up as a registry would: the host's login
// first, then the tag or digest.
func (e *Engine) findRemoteLocked(ref string, auth *engine.Auth) (remoteImage, error) {
	host := hostOf(ref)
	if want, ok := e.reg.users[host]; ok && (auth == nil || auth.Username != want.Username || auth.Password != want.Password) {
		return remoteImage{}, &engineErr{msg: "Head \"https://" + host + "/v2/\": no basic auth credentials", sentinel: engine.ErrUnauthorized}
	}
	repos := e.remoteLocked()
	if name, digest, ok := strings.Cut(normalize(ref), "@"); ok {
		for key, img := range repos {
			if img.digest == digest && strings.HasPrefix(key, name+":") {
				return img, nil
			}
		}
		return remoteImage{}, notFound("manifest for %s not found: manifest unknown: manifest unknown", ref)
	}
	img, ok := repos[normalize(ref)]
	if !ok {
		return remoteImage{}, notFound("manifest for %s not found: manifest unknown: manifest unknown", normalize(ref))
	}
	return img, nil
}

// storePulledLocked makes the pulled image local under ref, keeping its ID.
func (e *Engine) storePulledLocked(ref string, img remoteImage) {
	local, ok := e.images[img.id]
	if !ok {
		local = &image{id: img.id, labels: maps.Clone(img.labels), created: time.Now()}
		e.images[img.id] = local
	}
	e.tags[normalize(ref)] = img.id // like Docker Engine 20.10, a pull leaves LastTagTime alone
}

// hostOf is the registry host of ref: the first path element when it looks
// like a host (has a dot or a port, or is localhost), else docker.io.
func hostOf(ref string) string {
	first, _, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

// PushImage copies the local image ref into the registry.
func (e *Engine) PushImage(ctx context.Context, ref string, opts engine.PushOptions, progress func(engine.TransferProgress)) error {
	if err := e.enter(ctx, "PushImage", ref); err != nil {
		return wrap("image", ref, err)
	}
	e.mu.Lock()
	id, ok := e.tags[normalize(ref)]
	host := hostOf(ref)
	want, locked := e.reg.users[host]
	switch {
	case !ok:
		e.mu.Unlock()
		return wrap("image", ref, notFound("An image does not exist locally with the tag: %s", ref))
	case locked && (opts.Auth == nil || opts.Auth.Username != want.Username || opts.Auth.Password != want.Password):
		e.mu.Unlock()
		return wrap("image", ref, &engineErr{msg: "unauthorized: authentication required", sentinel: engine.ErrUnauthorized})
	}
	img := e.images[id]
	e.remoteLocked()[normalize(ref)] = remoteImage{id: id, digest: digestOf(id), labels: maps.Clone(img.labels)}
	e.mu.Unlock()
	for _, l := range layers {
		report(progress, engine.TransferProgress{Layer: l.id, Status: "Pushed"})
	}
	report(progress, engine.TransferProgress{Status: "latest: digest: " + digestOf(id)})
	return nil
}

// TagImage gives the image source the reference target.
func (e *Engine) TagImage(ctx context.Context, source, target string) error {
	if err := e.enter(ctx, "TagImage", source); err != nil {
		return wrap("image", source, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	img := e.resolveImage(source)
	if img == nil {
		return wrap("image", source, notFound("No such image: %s", source))
	}
	img.lastTag = time.Now()
	e.tags[normalize(target)] = img.id
	return nil
}

func report(progress func(engine.TransferProgress), p engine.TransferProgress) {
	if progress != nil {
		progress(p)
	}
}

// ResolveDigest is the digest the registry holds ref under, after the same
// login check as a pull.
func (e *Engine) ResolveDigest(ctx context.Context, ref string, auth *engine.Auth) (string, error) {
	if err := e.enter(ctx, "ResolveDigest", ref); err != nil {
		return "", wrap("image", ref, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	img, err := e.findRemoteLocked(ref, auth)
	if err != nil {
		return "", wrap("image", ref, err)
	}
	return img.digest, nil
}
