package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	mbuild "github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"

	"berth/imagebuild"
)

// buildKitAvailable: BuildKit builds need API 1.39 (Engine 18.09) and a
// Linux engine; an engine whose ping names builder version 1 asks for the
// classic builder.
func buildKitAvailable(apiVersion string, ping client.PingResult) bool {
	return !versions.LessThan(apiVersion, "1.39") && ping.OSType != "windows" && ping.BuilderVersion != mbuild.BuilderV1
}

// buildKitImage runs a build on the engine's built-in BuildKit: the
// context goes up as the same tar the classic builder takes (the engine
// unpacks it for the Dockerfile frontend), and secrets and ssh agents are
// served from a BuildKit session over the engine's /session endpoint.
// Progress comes back as moby.buildkit.trace messages, handed to out raw.
func (e *Engine) buildKitImage(ctx context.Context, req imagebuild.Request, out imagebuild.Output) (string, error) {
	name := buildName(req)
	opts := buildKitOptions(req)
	attach, body := req.Session, req.Context
	if req.Local != nil {
		sync, cleanup, err := localSync(req.Local)
		if err != nil {
			return "", wrap("build", name, err)
		}
		defer cleanup()
		attach = append(slices.Clone(attach), sync)
		opts.RemoteContext, opts.Dockerfile, body = "client-session", "Dockerfile", nil
	}
	if len(attach) > 0 {
		s, err := e.startSession(ctx, attach)
		if err != nil {
			return "", wrap("build", name, err)
		}
		defer s.Close()
		opts.SessionID = s.ID()
	}
	return e.build(ctx, req, body, opts, readBuildKitStream, out)
}

// localSync serves a context directory and a Dockerfile berth wrote
// through the session's filesync, as "context" and "dockerfile": the
// Dockerfile waits in a directory of its own until the build is over.
// Owners are reset to root, as the tar has them.
func localSync(l *imagebuild.LocalContext) (session.Attachable, func(), error) {
	dir, err := os.MkdirTemp("", "berth-dockerfile-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	fail := func(err error) (session.Attachable, func(), error) { cleanup(); return nil, nil, err }
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), l.Dockerfile, 0o600); err != nil {
		return fail(err)
	}
	rootOwned := func(_ string, st *fstypes.Stat) fsutil.MapResult {
		st.Uid, st.Gid = 0, 0
		return fsutil.MapResultKeep
	}
	ctxFS, err := fsutil.NewFS(l.Dir)
	if err != nil {
		return fail(err)
	}
	if ctxFS, err = fsutil.NewFilterFS(ctxFS, &fsutil.FilterOpt{ExcludePatterns: l.Excludes, Map: rootOwned}); err != nil {
		return fail(err)
	}
	dfFS, err := fsutil.NewFS(dir)
	if err != nil {
		return fail(err)
	}
	return filesync.NewFSSyncProvider(filesync.StaticDirSource{"context": ctxFS, "dockerfile": dfFS}), cleanup, nil
}

// startSession opens a BuildKit session that serves the attachables: the
// engine dials back into it through the hijacked /session connection.
func (e *Engine) startSession(ctx context.Context, attach []session.Attachable) (*session.Session, error) {
	s, err := session.NewSession(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("BuildKit session: %w", err)
	}
	for _, a := range attach {
		s.Allow(a)
	}
	dial := func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
		return e.cli.DialHijack(ctx, "/session", proto, meta)
	}
	go s.Run(context.WithoutCancel(ctx), dial) //nolint:errcheck // a session that cannot run fails the build that needs it
	return s, nil
}

// buildKitOptions maps a request to the build API's BuildKit parameters.
func buildKitOptions(req imagebuild.Request) client.ImageBuildOptions {
	opts := buildOptions(req)
	opts.Version = mbuild.BuilderBuildKit
	opts.Remove, opts.ForceRemove = false, false
	if req.InlineCache {
		opts.BuildArgs = maps.Clone(opts.BuildArgs)
		if opts.BuildArgs == nil {
			opts.BuildArgs = map[string]*string{}
		}
		one := "1"
		opts.BuildArgs["BUILDKIT_INLINE_CACHE"] = &one
	}
	if p, ok := onePlatform(req.Platforms); ok {
		opts.Platforms = []ocispec.Platform{p}
	}
	return opts
}

// onePlatform parses the single platform a build asks for, "os/arch[/variant]".
func onePlatform(list []string) (ocispec.Platform, bool) {
	if len(list) != 1 {
		return ocispec.Platform{}, false
	}
	parts := strings.Split(list[0], "/")
	if len(parts) < 2 {
		return ocispec.Platform{}, false
	}
	p := ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p, true
}

// buildKitMessage is one message of a BuildKit build's stream: a trace
// (aux is the base64 of a protobuf StatusResponse), the image ID, or an
// error.
type buildKitMessage struct {
	streamMessage
	ID string `json:"id"`
}

// readBuildKitStream hands each trace to out and returns the image ID.
func readBuildKitStream(r io.Reader, out imagebuild.Output) (string, error) {
	var id string
	dec := json.NewDecoder(r)
	for {
		var m buildKitMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return id, nil
		} else if err != nil {
			return "", fmt.Errorf("reading the build output: %w", err)
		}
		if msg := m.errorMessage(); msg != "" {
			return "", &engineError{err: errors.New(msg)}
		}
		switch m.ID {
		case "moby.buildkit.trace":
			var trace []byte
			if json.Unmarshal(m.Aux, &trace) == nil && out != nil {
				out(imagebuild.Message{Trace: trace})
			}
		case "moby.image.id":
			id = auxImageID(m.Aux)
		default:
			if m.Stream != "" && out != nil {
				out(imagebuild.Message{Line: m.Stream})
			}
		}
	}
}
