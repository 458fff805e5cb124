package imagebuild

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/patternmatcher"
)

// InlineDockerfile is the name dockerfile_inline gets inside the context tar.
// It is listed in the tar's .dockerignore so the engine drops it from the
// context after reading it: COPY . . never copies it into the image.
const InlineDockerfile = ".berth-inline.Dockerfile"

const dockerignore = ".dockerignore"

// contextSpec is everything needed to write one build context as a tar.
type contextSpec struct {
	root       string // absolute, symlinks resolved
	dockerfile string // slash path inside the tar
	inline     []byte // dockerfile_inline content; nil when the Dockerfile is a file
	// ignoreFile replaces the context's .dockerignore in the tar when set
	// (dockerfile_inline adds its own name to it).
	ignoreFile []byte
	matcher    *patternmatcher.PatternMatcher
	patterns   []string // the ignore file's patterns, as written
	// keep are paths always sent, even when ignored: the engine needs them.
	keep []string
}

// newContextSpec checks the build section and reads its ignore patterns.
func newContextSpec(projectDir string, b types.BuildConfig) (contextSpec, error) {
	root, err := contextRoot(projectDir, b.Context)
	if err != nil {
		return contextSpec{}, err
	}
	spec := contextSpec{root: root}
	if b.DockerfileInline != "" {
		spec.dockerfile, spec.inline = InlineDockerfile, []byte(b.DockerfileInline)
	} else if spec.dockerfile, err = dockerfilePath(root, b.Dockerfile); err != nil {
		return contextSpec{}, err
	}
	patterns, raw, err := readIgnore(root, spec.dockerfile, spec.inline == nil)
	if err != nil {
		return contextSpec{}, err
	}
	if spec.inline != nil {
		spec.ignoreFile = append(append(raw, '\n'), InlineDockerfile+"\n"...)
	}
	spec.patterns = patterns
	if spec.matcher, err = patternmatcher.New(patterns); err != nil {
		return contextSpec{}, fmt.Errorf("%s: %w", dockerignore, err)
	}
	spec.keep = []string{spec.dockerfile, dockerignore}
	return spec, nil
}

// contextRoot resolves the context directory, refusing what is not a local
// directory.
func contextRoot(projectDir, ctx string) (string, error) {
	if ctx == "" {
		ctx = "."
	}
	if isRemote(ctx) {
		return "", fmt.Errorf("context %q is not a local directory: berth builds local contexts only (clone the repository and point context at it)", ctx)
	}
	if !filepath.IsAbs(ctx) {
		ctx = filepath.Join(projectDir, ctx)
	}
	abs, err := filepath.Abs(ctx)
	if err != nil {
		return "", fmt.Errorf("context %q: %w", ctx, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("context %q: %w", ctx, err)
	}
	if fi, err := os.Stat(root); err != nil {
		return "", fmt.Errorf("context %q: %w", ctx, err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("context %q is not a directory", ctx)
	}
	return root, nil
}

// dockerfilePath is the Dockerfile's slash path inside the context. A
// relative dockerfile is relative to the context; one outside it is refused,
// since the context tar is all the engine sees.
func dockerfilePath(root, dockerfile string) (string, error) {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	file := dockerfile
	if !filepath.IsAbs(file) {
		file = filepath.Join(root, file)
	}
	rel, err := insideContext(root, filepath.Clean(file))
	if err != nil {
		// an absolute path may reach the context through a symlink
		if resolved, rerr := filepath.EvalSymlinks(file); rerr == nil {
			rel, err = insideContext(root, resolved)
		}
	}
	if err != nil {
		return "", err
	}
	if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
		return "", fmt.Errorf("dockerfile %q: %w", dockerfile, errors.Unwrap(err))
	}
	return rel, nil
}

// newContextReader returns the context tar as a stream. Nothing is read from
// disk before the first Read; Close stops the writer early.
func newContextReader(spec contextSpec) io.ReadCloser {
	return &contextReader{spec: spec}
}

type contextReader struct {
	spec  contextSpec
	start sync.Once
	pr    *io.PipeReader
}

func (c *contextReader) Read(p []byte) (int, error) {
	c.start.Do(func() {
		pr, pw := io.Pipe()
		c.pr = pr
		go func() { pw.CloseWithError(writeContext(pw, c.spec)) }()
	})
	return c.pr.Read(p)
}

// Close ends the stream; a writer still walking the context stops at its
// next write.
func (c *contextReader) Close() error {
	c.start.Do(func() { c.pr, _ = io.Pipe() })
	return c.pr.Close()
}

// keepPath reports whether rel must be sent even though it is ignored.
func (s contextSpec) keepPath(rel string) bool {
	for _, k := range s.keep {
		if rel == k {
			return true
		}
	}
	return false
}

// mayReinclude reports whether an ignored directory can still hold
// something to send: a path always kept, or a match of a `!pattern`.
func (s contextSpec) mayReinclude(dir string) bool {
	prefix := dir + "/"
	for _, k := range s.keep {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	if !s.matcher.Exclusions() {
		return false
	}
	for _, p := range s.matcher.Patterns() {
		if !p.Exclusion() {
			continue
		}
		pat := p.String()
		if strings.ContainsAny(pat, `*?[\`) || strings.HasPrefix(pat, prefix) {
			return true
		}
	}
	return false
}

// dockerfileText reads the Dockerfile for messages about it; nil when it
// cannot be read (the engine then reports that itself).
func (s contextSpec) dockerfileText() []byte {
	if s.inline != nil {
		return s.inline
	}
	b, err := os.ReadFile(filepath.Join(s.root, filepath.FromSlash(s.dockerfile)))
	if err != nil {
		return nil
	}
	return b
}
