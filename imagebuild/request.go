package imagebuild

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// Request is one image build, ready for the engine.
type Request struct {
	Service    string    // the service that asked for it, for messages
	Context    io.Reader // tar stream of the build context
	Dockerfile string    // path of the Dockerfile inside Context
	Tags       []string  // the first is the image name berth runs
	Args       map[string]*string
	Target     string
	Labels     map[string]string
	NoCache    bool
	CacheFrom  []string
	Network    string
	ExtraHosts []string // "host:ip", sorted
	ShmSize    int64
	Memory     int64 // bytes; 0: no limit (build --memory)
	Pull       bool
}

// Output receives the build's progress, one line at a time ("Step 2/5 : RUN …").
type Output func(line string)

// Options are the command-line choices that shape every build of a run.
type Options struct {
	NoCache bool
	Pull    bool
	Args    map[string]*string // --build-arg, over the file's args; nil value: from the environment
	// Parallel bounds how many builds run at once in Images (<= 0: no bound).
	Parallel int
	Memory   int64 // --memory: the build containers' memory limit in bytes
}

// NewRequest prepares the build of service s of project p: the context tar
// stream, the Dockerfile, args, tags. It reads no more than the context's
// ignore files: the tar is produced while the engine reads Context, so a
// request that is planned but never run costs nothing. The caller closes the
// returned request's Context (an io.ReadCloser) when it is done with it.
func NewRequest(p *types.Project, s types.ServiceConfig, imageName string, o Options) (Request, error) {
	if s.Build == nil {
		return Request{}, fmt.Errorf("service %q: no build section", s.Name)
	}
	b := s.Build
	spec, err := newContextSpec(projectDir(p), *b)
	if err != nil {
		return Request{}, fmt.Errorf("service %q: build: %w", s.Name, err)
	}
	return Request{
		Service:    s.Name,
		Context:    newContextReader(spec),
		Dockerfile: spec.dockerfile,
		Tags:       tags(imageName, b.Tags),
		Args:       buildArgs(p, b.Args, o.Args),
		Target:     b.Target,
		Labels:     imageLabels(p, s),
		NoCache:    b.NoCache || o.NoCache,
		CacheFrom:  cacheFrom(b.CacheFrom),
		Network:    b.Network,
		ExtraHosts: extraHosts(b.ExtraHosts),
		ShmSize:    int64(b.ShmSize),
		Memory:     o.Memory,
		Pull:       b.Pull || o.Pull,
	}, nil
}

// projectDir is where a relative context is resolved from. compose-go
// already makes contexts absolute; this covers projects built by hand.
func projectDir(p *types.Project) string {
	if p == nil || p.WorkingDir == "" {
		return "."
	}
	return p.WorkingDir
}

// tags puts the image name first, then the build's extra tags, each once.
func tags(imageName string, extra []string) []string {
	out := []string{imageName}
	for _, t := range extra {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// buildArgs merges the file's args with --build-arg ones (which win). An arg
// without a value takes it from the project's environment (the shell and
// .env), as Docker Compose does; one that is nowhere set is left out (and a
// bare --build-arg does not override the file's value).
func buildArgs(p *types.Project, file, flags map[string]*string) map[string]*string {
	out := map[string]*string{}
	for _, m := range []map[string]*string{file, flags} {
		for k, v := range m {
			if v == nil {
				v = lookupEnv(p, k)
			}
			if v == nil { // set nowhere: leave the file's value, if any
				continue
			}
			val := *v
			out[k] = &val
		}
	}
	return out
}

func lookupEnv(p *types.Project, key string) *string {
	if p == nil {
		return nil
	}
	if v, ok := p.Environment[key]; ok {
		return &v
	}
	return nil
}

// imageLabels are the build's labels plus the project and service labels
// Docker Compose puts on the images it builds, so `down --rmi` can tell
// them apart. No version label: the classic builder turns each label into
// a step, and a berth upgrade should not bust the cache.
func imageLabels(p *types.Project, s types.ServiceConfig) map[string]string {
	l := maps.Clone(map[string]string(s.Build.Labels))
	if l == nil {
		l = map[string]string{}
	}
	if p != nil {
		l[project.LabelProject] = p.Name
	}
	l[project.LabelService] = s.Name
	return l
}

// cacheFrom keeps the cache sources the classic builder can use: image
// references, plain or written as BuildKit's "type=registry,ref=…". Other
// kinds (local, gha, s3) mean nothing to it and are left out; a reference the
// engine does not have is skipped by the engine itself.
func cacheFrom(list []string) []string {
	var out []string
	for _, c := range list {
		if !strings.Contains(c, "=") {
			out = append(out, c)
			continue
		}
		attrs := map[string]string{}
		for _, kv := range strings.Split(c, ",") {
			k, v, _ := strings.Cut(kv, "=")
			attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		if attrs["type"] == "registry" && attrs["ref"] != "" {
			out = append(out, attrs["ref"])
		}
	}
	return out
}

// extraHosts renders extra_hosts the way the engine's build API takes them.
func extraHosts(h types.HostsList) []string {
	if len(h) == 0 {
		return nil
	}
	out := h.AsList(":")
	slices.Sort(out)
	return out
}

// isRemote reports a context berth cannot send as a local tar: a git
// repository, a URL, or another build's output.
func isRemote(ctx string) bool {
	if strings.Contains(ctx, "://") || strings.HasPrefix(ctx, types.ServicePrefix) {
		return true
	}
	for _, prefix := range []string{"github.com/", "git@"} {
		if strings.HasPrefix(ctx, prefix) {
			return true
		}
	}
	return false
}

// insideContext returns the slash path of file relative to root, or an error
// when file lies outside root.
func insideContext(root, file string) (string, error) {
	rel, err := filepath.Rel(root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("dockerfile %q is outside the build context %q", file, root)
	}
	return filepath.ToSlash(rel), nil
}
