package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// Even with validation skipped, compose-go's load (interpolation, path
// matching, decoding) is most of a short command's time. The project cache
// keeps the loaded project itself, one file per input under the user's
// cache directory, keyed like the validation cache (berth's binary, the
// options, every compose file's bytes, the environment and .env); the same
// input again decodes the project instead of loading it. What compose-go
// reads on its own is covered too: the key is empty for include, extends
// and version (never cached), and an entry records the env_file and
// label_file contents it was built from and is ignored once they change.
// The project is stored before service selection, so any -p/service subset
// shares one entry. Only successful loads are stored; a missing, unreadable
// or corrupt entry is a miss, and a failed write only costs speed.

// projectCacheKeep bounds the stored projects; a hit counts as new. An
// entry is a few KiB (about 10 for 50 services), and test suites that make
// a project per test would otherwise push out the ones a user works on.
const projectCacheKeep = 256

// projectMagic starts every entry; the binary's identity in the key already
// retires entries of other builds.
const projectMagic = "berth-project-1\n"

// projectCacheDir holds the entries next to the validation cache's file.
func projectCacheDir(validFile string) string {
	if validFile == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(validFile), "projects")
}

// projectKey names the entry of an input validKey describes. HOME is added
// because compose-go expands "~" in paths with the process's home.
func projectKey(valid string) string {
	if valid == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("project\x00" + valid + "\x00" + os.Getenv("HOME")))
	return hex.EncodeToString(sum[:])
}

// watched is a file compose-go read while loading; Sum is "" when the file
// was absent (an optional env_file).
type watched struct {
	Path string
	Sum  string
}

// cachedProject returns the stored project of key, if any and still valid,
// with what compose-go logged while loading it.
func cachedProject(dir, key string) (*types.Project, []loader.UnsupportedAttribute, []logLine, bool) {
	if dir == "" || key == "" {
		return nil, nil, nil, false
	}
	file := filepath.Join(dir, key)
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, nil, false
	}
	e, err := decodeEntry(key, b)
	if err != nil {
		return nil, nil, nil, false
	}
	now := time.Now()
	_ = os.Chtimes(file, now, now) // recently used entries survive pruning
	return e.project, e.found, e.logs, true
}

// rememberProject stores p for key. Projects the codec cannot represent
// exactly, or that depend on files the entry cannot watch, are skipped.
func rememberProject(dir, key string, p *types.Project, found []loader.UnsupportedAttribute, logs []logLine) {
	if dir == "" || key == "" {
		return
	}
	b, err := encodeEntry(key, entry{project: p, found: found, logs: logs})
	if err != nil || os.MkdirAll(dir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".project-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(dir, key)) != nil {
		os.Remove(tmp.Name())
		return
	}
	pruneProjects(dir, projectCacheKeep)
}

// pruneProjects removes all but the keep most recently used entries.
func pruneProjects(dir string, keep int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type aged struct {
		name string
		mod  time.Time
	}
	var all []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			all = append(all, aged{e.Name(), info.ModTime()})
		}
	}
	if len(all) <= keep {
		return
	}
	slices.SortFunc(all, func(a, b aged) int { return b.mod.Compare(a.mod) })
	for _, a := range all[keep:] {
		os.Remove(filepath.Join(dir, a.name))
	}
}

// entry is what a cache file holds besides the files it watches.
type entry struct {
	project *types.Project
	found   []loader.UnsupportedAttribute // only Path is kept
	logs    []logLine
}

// encodeEntry lays an entry out as the magic, a checksum over key and
// payload, then the payload: the project, the files it was read from, the
// paths of the unsupported keys found and compose-go's log messages.
func encodeEntry(key string, en entry) ([]byte, error) {
	p := en.project
	if usesDevelop(p) {
		return nil, errors.New("develop sections are not cached")
	}
	e := &encoder{}
	if err := e.encode(reflect.ValueOf(p).Elem(), 0); err != nil {
		return nil, err
	}
	deps, err := watchedFiles(e.specs)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(en.found))
	for i, f := range en.found {
		paths[i] = string(f.Path)
	}
	for _, v := range []any{deps, paths, en.logs} {
		if err := e.encode(reflect.ValueOf(v), 0); err != nil {
			return nil, err
		}
	}
	sum := entrySum(key, e.buf)
	return slices.Concat([]byte(projectMagic), sum, e.buf), nil
}

// usesDevelop tells whether a service has a develop section, whose watch
// paths compose-go resolves through symlinks on disk: such a project is not
// a function of the key alone.
func usesDevelop(p *types.Project) bool {
	for _, all := range []types.Services{p.Services, p.DisabledServices} {
		for _, s := range all {
			if s.Develop != nil {
				return true
			}
		}
	}
	return false
}

func entrySum(key string, payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write(payload)
	return h.Sum(nil)
}

// decodeEntry reads what encodeEntry wrote for key, and checks that the
// files the project was read from are unchanged.
func decodeEntry(key string, b []byte) (en entry, err error) {
	defer func() {
		if r := recover(); r != nil {
			en, err = entry{}, errCorrupt
		}
	}()
	rest, ok := bytes.CutPrefix(b, []byte(projectMagic))
	if !ok || len(rest) < sha256.Size || !bytes.Equal(rest[:sha256.Size], entrySum(key, rest[sha256.Size:])) {
		return entry{}, errCorrupt
	}
	d := &decoder{buf: rest[sha256.Size:]}
	en.project = new(types.Project)
	var deps []watched
	var paths []string
	for _, v := range []any{en.project, &deps, &paths, &en.logs} {
		if err := d.decode(reflect.ValueOf(v).Elem(), 0); err != nil {
			return entry{}, err
		}
	}
	if len(d.buf) != 0 {
		return entry{}, errCorrupt
	}
	for _, w := range deps {
		if sum, err := fileSum(w.Path); err != nil || sum != w.Sum {
			return entry{}, errors.New("a file read by the load changed")
		}
	}
	for _, s := range paths {
		en.found = append(en.found, loader.UnsupportedAttribute{Path: tree.Path(s)})
	}
	return en, nil
}

// watchedFiles lists the env and label files of the container specs with
// their current contents' digests.
func watchedFiles(specs []types.ContainerSpec) ([]watched, error) {
	var paths []string
	for _, s := range specs {
		for _, f := range s.EnvFiles {
			paths = append(paths, f.Path)
		}
		paths = append(paths, s.LabelFiles...)
	}
	slices.Sort(paths)
	var out []watched
	for _, path := range slices.Compact(paths) {
		if !filepath.IsAbs(path) {
			return nil, fmt.Errorf("relative path %q", path)
		}
		sum, err := fileSum(path)
		if err != nil {
			return nil, err
		}
		out = append(out, watched{Path: path, Sum: sum})
	}
	return out, nil
}

// fileSum is the digest of a file's contents, "" when it does not exist.
func fileSum(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
