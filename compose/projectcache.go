package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/types"
)

// Even with validation skipped, compose-go's load is most of a short
// command's time (about 30 ms of CPU for 50 services). The project cache
// keeps loaded projects, one file per input under the user's cache
// directory, for the projects whose load provably read nothing but what the
// validation cache keys (the options, the compose files' bytes, the
// variables interpolation looked up, all of them unset) and $HOME, which
// compose-go expands "~" with. A load that found any variable set is never
// stored (trace.names): the project would hold its value, interpolated, and
// a set variable may be a secret.
//
// compose-go also reads the environment directly, by map lookups the trace
// cannot see: for `environment` entries without a value, build args,
// secrets and configs from `environment`, and while interpolating env
// files. So a project is stored only when it shows none of those reads.
// Most leave a mark that survives the load: an env_file, label_file, build,
// secret or config from the environment, or a develop section (whose paths
// compose-go resolves through symlinks on disk) stays in the project, and
// refused turns such a project away. A service's environment stays too,
// but its explicit entries cannot be told apart from resolved ones; so a
// project with one is loaded once more (probe), with every environment
// value marked while interpolation still sees the true ones: an entry
// resolved from the environment then carries the mark, one the
// environment lacks stays without a value, and either keeps the project
// out. A project that fails the probe is recorded as such, so the next
// load of the same input does not probe again. Loads that read another
// compose file or logged anything are never stored (trace.go,
// logcapture.go). The process environment is never written:
// Project.Environment is cleared before the project is stored and filled
// from the live environment on a hit, as a load fills it.
//
// An entry holds the names of the variables looked up, all unset, then the
// project; a hit needs every one of them still unset in the live
// environment, so setting one loads afresh. Only successful loads are
// stored; a missing, unreadable or corrupt entry is a miss, and a failed
// write only costs speed. The project is stored before service selection,
// so any service subset shares it.

// projectCacheKeep bounds the stored projects; a hit counts as new.
const projectCacheKeep = 256

// projectMagic starts every entry; the binary's identity in the key already
// retires entries of other builds.
const projectMagic = "berth-project-4\n"

// projectFile is where the project of input is kept, "" without a cache.
func projectFile(validFile, input string) string {
	if validFile == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("project\x00" + input + "\x00" + os.Getenv("HOME")))
	return filepath.Join(filepath.Dir(validFile), projectCacheName, hex.EncodeToString(sum[:]))
}

// refused tells why v cannot be part of a stored project: its load read
// what the key does not cover.
func refused(v reflect.Value) error {
	if !watchedTypes[v.Type()] {
		return nil
	}
	switch x := v.Interface().(type) {
	case types.ServiceConfig:
		if len(x.EnvFiles) > 0 || len(x.LabelFiles) > 0 {
			return errors.New("env_file or label_file read at load")
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
	reflect.TypeFor[types.ServiceConfig](): true, reflect.TypeFor[types.BuildConfig](): true,
	reflect.TypeFor[types.FileObjectConfig](): true, reflect.TypeFor[types.SecretConfig](): true,
	reflect.TypeFor[types.ConfigObjConfig](): true, reflect.TypeFor[types.DevelopConfig](): true,
}

// probeMark ends every environment value in a probe load.
const probeMark = "\u2063berth-probe"

// cachedProject returns the project stored in file if the variables it
// looked up are all still unset in env. probed tells that the
// entry records a project that failed the probe.
func cachedProject(file string, env types.Mapping) (p *types.Project, hit, probed bool) {
	if file == "" {
		return nil, false, false
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, false, false
	}
	p, err = decodeEntry(filepath.Base(file), b, env)
	if err != nil || p == nil {
		return nil, false, err == nil
	}
	now := time.Now()
	_ = os.Chtimes(file, now, now) // recently used entries survive pruning
	// As compose-go does while loading: the project's environment is the
	// one interpolation saw, with the project's name.
	env[consts.ComposeProjectName] = p.Name
	p.Environment = env
	return p, true, false
}

// rememberProject stores p, loaded as t recorded, in file when the cache
// can prove the next load of the same input gives the same project; probe
// loads the project again with the environment's values marked, unless
// probed says it failed that before.
func rememberProject(file string, t *trace, p *types.Project, probed bool, probe func() (*types.Project, error)) {
	names, ok := t.names()
	if file == "" || !ok || probed {
		return
	}
	key := filepath.Base(file)
	b, err := encodeEntry(key, names, p)
	if err != nil {
		return
	}
	if hasEnvironment(p) && !probePasses(probe) {
		b, _ = encodeEntry(key, names, nil)
	}
	writeEntry(file, b)
}

// hasEnvironment tells whether a service or hook has an environment.
func hasEnvironment(p *types.Project) bool {
	for _, all := range []types.Services{p.Services, p.DisabledServices} {
		for _, s := range all {
			if len(s.Environment) > 0 {
				return true
			}
			for _, h := range s.PreStart {
				if len(h.Environment) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// probePasses runs probe and looks for what the environment gave the
// project, its own Environment (the marked one) aside.
func probePasses(probe func() (*types.Project, error)) bool {
	q, err := probe()
	if err != nil {
		return false
	}
	q.Environment = nil
	return !readEnvironment(reflect.ValueOf(q).Elem(), 0)
}

var mappingWithEquals = reflect.TypeFor[types.MappingWithEquals]()

// readEnvironment tells whether a probe load's project shows a value taken
// from the environment (marked) or a lookup the environment could not
// answer (an environment entry left without a value).
func readEnvironment(v reflect.Value, depth int) bool {
	if depth > maxCodecDepth {
		return true
	}
	if v.Type() == mappingWithEquals {
		for it := v.MapRange(); it.Next(); {
			if it.Value().IsNil() {
				return true
			}
		}
	}
	switch v.Kind() {
	case reflect.String:
		return strings.Contains(v.String(), probeMark)
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && readEnvironment(v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if readEnvironment(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if readEnvironment(it.Key(), depth+1) || readEnvironment(it.Value(), depth+1) {
				return true
			}
		}
	case reflect.Struct:
		for i, ok := range exported(v.Type()) {
			if ok && readEnvironment(v.Field(i), depth+1) {
				return true
			}
		}
	}
	return false
}

// writeEntry replaces file by b atomically; failures only cost speed.
func writeEntry(file string, b []byte) {
	if os.MkdirAll(filepath.Dir(file), 0o700) != nil {
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
// payload, then the payload: the names of the (unset) variables, whether a
// project follows (p nil records a failed probe), the project without its
// environment.
func encodeEntry(key string, names []string, p *types.Project) ([]byte, error) {
	has := p != nil
	fields := []any{&names, &has}
	if has {
		stored := *p
		stored.Environment = nil
		fields = append(fields, &stored)
	}
	e := &encoder{}
	for _, v := range fields {
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

// decodeEntry reads what encodeEntry wrote for key, if the variables it
// names are all still unset in env; a nil project without an error is
// an entry recording a failed probe.
func decodeEntry(key string, b []byte, env types.Mapping) (p *types.Project, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errCorrupt
		}
	}()
	rest, ok := bytes.CutPrefix(b, []byte(projectMagic))
	if !ok || len(rest) < sha256.Size || !bytes.Equal(rest[:sha256.Size], entrySum(key, rest[sha256.Size:])) {
		return nil, errCorrupt
	}
	d := &decoder{buf: rest[sha256.Size:]}
	var names []string
	var has bool
	for _, v := range []any{&names, &has} {
		if err := d.decode(reflect.ValueOf(v).Elem(), 0); err != nil {
			return nil, err
		}
	}
	if !allUnset(names, env) {
		return nil, errors.New("a variable it looked up is set")
	}
	if !has {
		return nil, nil // the project failed the probe
	}
	p = new(types.Project)
	if err := d.decode(reflect.ValueOf(p).Elem(), 0); err != nil {
		return nil, err
	}
	if len(d.buf) != 0 {
		return nil, errCorrupt
	}
	return p, nil
}
