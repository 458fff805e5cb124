package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// Compiling compose-go's JSON schema costs more than the rest of a load of
// 50 services, in every process. The validation cache remembers, in a small
// file under the user's cache directory, inputs that passed validation; the
// same input again loads without compose-go's validation. "The same input"
// is exactly what validation read, recorded by the load itself (trace.go):
// berth's binary, the options, the compose files' bytes and the variables
// interpolation looked up. Only a load for which every one of those
// variables was unset is remembered (trace.names): a set variable may hold
// a secret, and not even a digest of its value is written, since a digest
// of a short secret falls to brute force. A load that read any other file
// (include, extends with file) is never remembered either. Only success is
// remembered, so a bad file always fails with its located error.
//
// A line of the cache file is "<input> <name>...": the digest of what was
// known before the load, then the names of the variables it looked up, all
// unset then; the next run is served only while every one of them is still
// unset, so setting one (in the environment or .env) is a miss. No value
// and no digest of the environment is written.

// validCacheKeep bounds the remembered inputs (newest kept).
const validCacheKeep = 64

// validCacheName names the validation cache file; the project cache is the
// directory projectCacheName beside it. Earlier builds kept digests of set
// variables' values (validated) and projects interpolated with them
// (loaded, projects) there; legacyCaches are removed on a write.
const (
	validCacheName   = "validated-unset"
	projectCacheName = "loaded-unset"
)

var legacyCaches = []string{"validated", "loaded", "projects"}

// validCacheFile is where the keys are kept, "" when the environment names
// no cache directory. Only the invocation's environment counts.
func validCacheFile(environ []string) string {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	switch {
	case filepath.IsAbs(env["XDG_CACHE_HOME"]):
		return filepath.Join(env["XDG_CACHE_HOME"], "berth", validCacheName)
	case filepath.IsAbs(env["HOME"]):
		return filepath.Join(env["HOME"], ".cache", "berth", validCacheName)
	}
	return ""
}

// inputKey is the digest of what validation depends on and is known before
// the load: berth's own binary, the options, every compose file's name and
// bytes, and logrus's level (a message below it is not observed, see
// logcapture.go). Which services are named does not count: they are
// selected after validation.
func inputKey(o Options, dir string, configs []types.ConfigFile) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q %q %q %q %q %q %q %v %v %v %v %d\x00", binaryIdentity(), o.Files, o.ProjectName,
		o.ProjectDirectory, o.EnvFiles, o.Profiles, o.WorkingDir, dir, o.NoInterpolate,
		o.NoNormalize, o.NoResolvePaths, o.NoConsistency, logrus.GetLevel())
	for _, c := range configs {
		fmt.Fprintf(h, "%q %d\x00", c.Filename, len(c.Content))
		h.Write(c.Content)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// allUnset tells whether every one of names is unset in env: a remembered
// load looked up only unset variables, and holds while they stay unset.
func allUnset(names []string, env types.Mapping) bool {
	for _, n := range names {
		if _, set := env[n]; set {
			return false
		}
	}
	return true
}

// binaryIdentity names this build of berth: a rebuilt binary (a newer
// compose-go, another schema) never trusts an older one's verdicts.
func binaryIdentity() string {
	id := "unknown"
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			id = fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		id += " " + bi.Main.Version
		for _, d := range bi.Deps {
			id += " " + d.Path + "@" + d.Version
		}
	}
	return id
}

// validated says whether input passed validation before and every variable
// it looked up then is still unset in env.
func validated(file, input string, env types.Mapping) bool {
	if file == "" {
		return false
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 1 && f[0] == input && allUnset(f[1:], env) {
			return true
		}
	}
	return false
}

// rememberValid records that input passed validation, if every variable t
// recorded was unset (trace.names); a cache that cannot be written only costs the next run its
// speed, so every failure is ignored.
func rememberValid(file, input string, t *trace) {
	names, ok := t.names()
	if file == "" || !ok {
		return
	}
	line := strings.Join(append([]string{input}, names...), " ")
	b, _ := os.ReadFile(file)
	lines := slices.DeleteFunc(strings.Split(string(b), "\n"), func(l string) bool { return l == "" || l == line })
	lines = append(lines, line)
	if len(lines) > validCacheKeep {
		lines = lines[len(lines)-validCacheKeep:]
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return
	}
	// What earlier builds derived from the environment goes on a miss,
	// as a new build's first load is.
	for _, old := range legacyCaches {
		os.RemoveAll(filepath.Join(filepath.Dir(file), old))
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".validated-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(bytes.Join(toBytes(lines), []byte("\n")))
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}
