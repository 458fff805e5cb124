package imagebuild

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/session"

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
	Platforms  []string // "linux/amd64"; BuildKit builds one

	// Classic asks for the classic builder even where the engine runs
	// BuildKit (DOCKER_BUILDKIT=0).
	Classic bool
	// InlineCache writes cache metadata into the image (cache_to
	// type=inline), so a later build can use it as a cache_from source.
	InlineCache bool
	// Session holds what a BuildKit build reaches through its session:
	// secrets and ssh agents. Empty when the build needs none.
	Session []session.Attachable
	// Local is set when berth wrote the Dockerfile (dockerfile_inline,
	// additional_contexts): a BuildKit build then reads the context
	// directory and the Dockerfile apart, through the session, so the
	// Dockerfile never lands in the context (BuildKit would COPY it with
	// the rest of an uploaded tar). The classic builder takes the tar.
	Local *LocalContext
	// Contexts are the images of local additional_contexts, which Run
	// builds before this one (contexts.go).
	Contexts []Request

	shift      lineShift         // lines berth added to the Dockerfile
	build      types.BuildConfig // the section, for its warnings
	dockerfile func() []byte     // the Dockerfile's text, for error messages
	file       string            // the Dockerfile as the user names it, for messages
}

// LocalContext is a build context as a directory and a Dockerfile.
type LocalContext struct {
	Dir        string   // the context directory
	Excludes   []string // its .dockerignore patterns
	Dockerfile []byte   // the Dockerfile berth wrote
}

// Options are the command-line choices that shape every build of a run.
type Options struct {
	NoCache bool
	Pull    bool
	Args    map[string]*string // --build-arg, over the file's args; nil value: from the environment
	// Parallel bounds how many builds run at once in Images (<= 0: no bound).
	Parallel int
	// Classic is DOCKER_BUILDKIT=0: the classic builder even where BuildKit runs.
	Classic bool
	// Secrets are --secret flags ("id=npmrc,src=./npmrc", "id=tok,env=TOKEN"),
	// SSH --ssh flags ("default", "id=/path/to/key"), for every build.
	Secrets, SSH []string
	Memory       int64 // --memory: the build containers' memory limit in bytes
	// Proxy are the proxy variables of the docker CLI's configuration,
	// passed as build args the file and --build-arg do not name.
	Proxy map[string]string
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
	stages, err := additionalContexts(p, s, imageName, o)
	if err != nil {
		return Request{}, fmt.Errorf("service %q: build: %w", s.Name, err)
	}
	spec, shift, err := contextWithStages(projectDir(p), *b, stages)
	if err != nil {
		return Request{}, fmt.Errorf("service %q: build: %w", s.Name, err)
	}
	var contexts []Request
	for _, st := range stages {
		if st.build != nil {
			contexts = append(contexts, *st.build)
		}
	}
	attach, err := sessionAttachables(p, s, o)
	if err != nil {
		return Request{}, fmt.Errorf("service %q: build: %w", s.Name, err)
	}
	return Request{
		Service:     s.Name,
		Context:     newContextReader(spec),
		Dockerfile:  spec.dockerfile,
		Tags:        tags(imageName, b.Tags),
		Args:        withProxyArgs(buildArgs(p, b.Args, o.Args), b.Args, o.Args, o.Proxy),
		Target:      b.Target,
		Labels:      imageLabels(p, s),
		NoCache:     b.NoCache || o.NoCache,
		CacheFrom:   cacheFrom(b.CacheFrom),
		Network:     b.Network,
		ExtraHosts:  extraHosts(b.ExtraHosts),
		ShmSize:     int64(b.ShmSize),
		Memory:      o.Memory,
		Pull:        b.Pull || o.Pull,
		Platforms:   b.Platforms,
		Classic:     o.Classic,
		InlineCache: inlineCache(b.CacheTo),
		Session:     attach,
		Contexts:    contexts,
		Local:       localContext(spec),
		shift:       shift,
		build:       *b,
		dockerfile:  spec.dockerfileText,
		file:        dockerfileLabel(*b),
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

// withProxyArgs adds the proxy variables no build arg names, even one
// declared without a value: the file and the flags win, as with the docker
// CLI. They are taken as they are, with no lookup in the environment.
func withProxyArgs(args, file, flags map[string]*string, proxy map[string]string) map[string]*string {
	for k, v := range proxy {
		_, inFile := file[k]
		_, inFlags := flags[k]
		if _, set := args[k]; !set && !inFile && !inFlags {
			args[k] = &v
		}
	}
	return args
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
		if attrs := cacheAttrs(c); attrs["type"] == "registry" && attrs["ref"] != "" {
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

// inlineCache reports a cache_to of type inline, the one export the
// engine's build API takes (as the BUILDKIT_INLINE_CACHE build argument).
func inlineCache(list []string) bool {
	for _, c := range list {
		if cacheAttrs(c)["type"] == "inline" {
			return true
		}
	}
	return false
}

// cacheAttrs reads BuildKit's "type=registry,ref=…" form of a cache entry.
func cacheAttrs(c string) map[string]string {
	attrs := map[string]string{}
	for _, kv := range strings.Split(c, ",") {
		k, v, _ := strings.Cut(kv, "=")
		attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return attrs
}

// dockerfileLabel names the Dockerfile in messages as the user wrote it.
func dockerfileLabel(b types.BuildConfig) string {
	if b.DockerfileInline != "" {
		return "dockerfile_inline"
	}
	if b.Dockerfile != "" {
		return b.Dockerfile
	}
	return "Dockerfile"
}

// contextWithStages is the context's spec, its Dockerfile given the
// stages of the additional contexts and its RUN here-documents in a form
// every builder reads, sent as berth's own Dockerfile when it changed.
func contextWithStages(dir string, b types.BuildConfig, stages []contextStage) (contextSpec, lineShift, error) {
	spec, err := newContextSpec(dir, b)
	if err != nil {
		return spec, lineShift{}, err
	}
	src := spec.dockerfileText()
	heredocs, rewrite := rewriteRunHeredocs(src)
	if rewrite {
		src = heredocs
	}
	if len(stages) == 0 && !rewrite {
		return spec, lineShift{}, nil
	}
	if src == nil {
		return spec, lineShift{}, fmt.Errorf("dockerfile %q cannot be read", spec.dockerfile)
	}
	var shift lineShift
	if len(stages) > 0 {
		src, shift = withContextStages(src, stages)
	}
	b.DockerfileInline = string(src)
	spec, err = newContextSpec(dir, b)
	return spec, shift, err
}

// localContext is the context as a directory when berth wrote the
// Dockerfile; nil otherwise.
func localContext(spec contextSpec) *LocalContext {
	if spec.inline == nil {
		return nil
	}
	return &LocalContext{Dir: spec.root, Excludes: spec.patterns, Dockerfile: spec.inline}
}
