package imagebuild

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/moby/patternmatcher/ignorefile"
)

// readIgnore reads the context's ignore patterns: <Dockerfile>.dockerignore
// next to the Dockerfile when it exists (and the Dockerfile is a file),
// else .dockerignore at the root. raw is the root .dockerignore as it is on
// disk (nil when absent), for an inline Dockerfile to extend.
func readIgnore(root, dockerfile string, perDockerfile bool) (patterns []string, raw []byte, err error) {
	raw, err = readOptional(filepath.Join(root, dockerignore))
	if err != nil {
		return nil, nil, err
	}
	data := raw
	if perDockerfile {
		own, err := readOptional(filepath.Join(root, filepath.FromSlash(dockerfile)) + dockerignore)
		if err != nil {
			return nil, nil, err
		}
		if own != nil {
			data = own
		}
	}
	patterns, err = ignorefile.ReadAll(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dockerignore, err)
	}
	return patterns, raw, nil
}

// readOptional reads a regular file; a missing one is nil, not an error.
// A symlink is not followed: it could point outside the context.
func readOptional(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%q is not a regular file", path)
	}
	return os.ReadFile(path)
}

// ContextIgnore is the build's .dockerignore as a predicate: ignored says
// whether a host path under the context is left out of the context tar
// (the Dockerfile and the .dockerignore itself never are). A path outside
// the context is not ignored. The watch's rebuild rules use it, so a file
// the build would not see does not trigger a build.
func ContextIgnore(projectDir string, b types.BuildConfig) (ignored func(path string) bool, err error) {
	spec, err := newContextSpec(projectDir, b)
	if err != nil {
		return nil, err
	}
	return func(path string) bool {
		if resolved, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
			path = filepath.Join(resolved, filepath.Base(path))
		}
		rel, err := filepath.Rel(spec.root, path)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return false
		}
		rel = filepath.ToSlash(rel)
		if spec.keepPath(rel) {
			return false
		}
		ok, err := spec.matcher.MatchesOrParentMatches(rel)
		return err == nil && ok
	}, nil
}
