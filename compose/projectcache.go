package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// Even with validation skipped, compose-go's load is most of a short
// command's time (about 30 ms of CPU for 50 services). The project cache
// keeps loaded projects, one file per input under the user's cache
// directory, for the projects whose load provably read nothing but what the
// validation cache keys (the options, the compose files' bytes, the
// variables interpolation looked up) and $HOME, which compose-go expands
// "~" with.
//
// compose-go also reads the environment directly, by map lookups the trace
// cannot see: for `environment` entries without a value, build args,
// secrets and configs from `environment`, and while interpolating env
// files. So a project is stored only when none of those exists anywhere in
// it (refused walks every value the codec writes): no service, hook or job
// has an environment, env_file, label_file or build, no secret or config
// comes from the environment, and no service has a develop section (whose
// paths compose-go resolves through symlinks on disk). Each of those
// survives the load in the project, so its absence in the result proves
// the load did not read it. Loads that read another compose file or logged
// anything are never stored (trace.go, logcapture.go). The process
// environment is never written: Project.Environment is cleared before the
// project is stored and filled from the live environment on a hit, as a
// load fills it.
//
// An entry holds the names of the variables looked up and the digest of
// their values, then the project; a hit needs the same digest from the live
// environment. Only successful loads are stored; a missing, unreadable or
// corrupt entry is a miss, and a failed write only costs speed. The project
// is stored before service selection, so any service subset shares it.

// projectCacheKeep bounds the stored projects; a hit counts as new.
const projectCacheKeep = 256

// projectMagic starts every entry; the binary's identity in the key already
// retires entries of other builds.
const projectMagic = "berth-project-2\n"

// projectFile is where the project of input is kept, "" without a cache.
func projectFile(validFile, input string) string {
	if validFile == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("project\x00" + input + "\x00" + os.Getenv("HOME")))
	return filepath.Join(filepath.Dir(validFile), "loaded", hex.EncodeToString(sum[:]))
}

// refused tells why v cannot be part of a stored project: its load read
// what the key does not cover.
func refused(v reflect.Value) error {
	if !watchedTypes[v.Type()] {
		return nil
	}
	switch x := v.Interface().(type) {
	case types.ContainerSpec:
		if len(x.Environment) > 0 || len(x.EnvFiles) > 0 || len(x.LabelFiles) > 0 {
			return errors.New("environment, env_file or label_file read at load")
		}
	case types.BuildConfig:
		return errors.New("build args are resolved from the environment")
	case types.FileObjectConfig:
		if x.Environment != "" {
			return errors.New("content from the environment")
		}
	case types.SecretConfig:
		if x.Environment != "" {
			return errors.New("secret from the environment")
		}
	case types.ConfigObjConfig:
		if x.Environment != "" {
			return errors.New("config from the environment")
		}
	case types.DevelopConfig:
		return errors.New("develop paths are resolved on disk")
	}
	return nil
}

// watchedTypes are the types refused looks into; others pass unseen.
var watchedTypes = map[reflect.Type]bool{
	reflect.TypeFor[types.ContainerSpec](): true, reflect.TypeFor[types.BuildConfig](): true,
	reflect.TypeFor[types.FileObjectConfig](): true, reflect.TypeFor[types.SecretConfig](): true,
	reflect.TypeFor[types.ConfigObjConfig](): true, reflect.TypeFor[types.DevelopConfig](): true,
}

// cachedProject returns the project stored in file if the variables it
// looked up have the values env gives them now.
func cachedProject(file string, env types.Mapping) (*types.Project, []loader.UnsupportedAttribute, bool) {
	if file == "" {
		return nil, nil, false
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, false
	}
	p, found, err := decodeEntry(filepath.Base(file), b, env)
	if err != nil {
		return nil, nil, false
	}
	now := time.Now()
	_ = os.Chtimes(file, now, now) // recently used entries survive pruning
	// As compose-go does while loading: the project's environment is the
	// one interpolation saw, with the project's name.
	env[consts.ComposeProjectName] = p.Name
	p.Environment = env
	return p, found, true
}

// rememberProject stores p, loaded as t recorded, in file when the cache
// can prove the next load of the same input gives the same project.
func rememberProject(file string, t *trace, p *types.Project, found []loader.UnsupportedAttribute) {
	names, ok := t.names()
	if file == "" || !ok {
		return
	}
	key := filepath.Base(file)
	b, err := encodeEntry(key, names, varsSum(key, names, t.value), p, found)
	if err != nil || os.MkdirAll(filepath.Dir(file), 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".project-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
		return
	}
	pruneProjects(filepath.Dir(file), projectCacheKeep)
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

// encodeEntry lays an entry out as the magic, a checksum over key and
// payload, then the payload: the variables' names and digest, the project
// without its environment, and the paths of the unsupported keys found.
func encodeEntry(key string, names []string, sum string, p *types.Project, found []loader.UnsupportedAttribute) ([]byte, error) {
	stored := *p
	stored.Environment = nil
	paths := make([]string, len(found))
	for i, f := range found {
		paths[i] = string(f.Path)
	}
	e := &encoder{}
	for _, v := range []any{&names, &sum, &stored, &paths} {
		if err := e.encode(reflect.ValueOf(v).Elem(), 0); err != nil {
			return nil, err
		}
	}
	return slices.Concat([]byte(projectMagic), entrySum(key, e.buf), e.buf), nil
}

func entrySum(key string, payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write(payload)
	return h.Sum(nil)
}

// decodeEntry reads what encodeEntry wrote for key, if the variables'
// values in env still give its digest.
func decodeEntry(key string, b []byte, env types.Mapping) (p *types.Project, found []loader.UnsupportedAttribute, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, found, err = nil, nil, errCorrupt
		}
	}()
	rest, ok := bytes.CutPrefix(b, []byte(projectMagic))
	if !ok || len(rest) < sha256.Size || !bytes.Equal(rest[:sha256.Size], entrySum(key, rest[sha256.Size:])) {
		return nil, nil, errCorrupt
	}
	d := &decoder{buf: rest[sha256.Size:]}
	var names []string
	var sum string
	for _, v := range []any{&names, &sum} {
		if err := d.decode(reflect.ValueOf(v).Elem(), 0); err != nil {
			return nil, nil, err
		}
	}
	if sum != varsSum(key, names, func(k string) (string, bool) { v, ok := env[k]; return v, ok }) {
		return nil, nil, fmt.Errorf("a variable changed")
	}
	p = new(types.Project)
	var paths []string
	for _, v := range []any{p, &paths} {
		if err := d.decode(reflect.ValueOf(v).Elem(), 0); err != nil {
			return nil, nil, err
		}
	}
	if len(d.buf) != 0 {
		return nil, nil, errCorrupt
	}
	for _, s := range paths {
		found = append(found, loader.UnsupportedAttribute{Path: tree.Path(s)})
	}
	return p, found, nil
}
