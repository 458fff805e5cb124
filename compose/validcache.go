package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Compiling compose-go's JSON schema costs more than the rest of a load of
// 50 services, in every process. validCache remembers, in a small file under
// the user's cache directory, the inputs that passed validation before; the
// same input again loads without compose-go's validation. Only success is
// remembered, so a bad file always fails with its located error.

// validCacheKeep bounds the remembered inputs (newest kept).
const validCacheKeep = 64

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
		return filepath.Join(env["XDG_CACHE_HOME"], "berth", "validated")
	case filepath.IsAbs(env["HOME"]):
		return filepath.Join(env["HOME"], ".cache", "berth", "validated")
	}
	return ""
}

// uncacheable finds what a key could not cover: files compose-go reads on
// its own (include, extends) and the obsolete version key, whose warning
// only validation prints.
var uncacheable = regexp.MustCompile(`(?m)^\s*(include|extends|version)\s*:`)

// validKey is the digest of everything validation depends on: berth's own
// binary, the options, every file's bytes and the environment interpolation
// sees (the variables and the env files). "" means do not cache.
func validKey(o Options, configs []types.ConfigFile, env types.Mapping) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q %q %q %q %q %q %v\x00", binaryIdentity(), o.Files, o.ProjectName,
		o.ProjectDirectory, o.EnvFiles, o.Profiles, o.WorkingDir, o.NoInterpolate)
	for _, c := range configs {
		if mayHold(c.Content, "include", "extends", "version") && uncacheable.Match(c.Content) {
			return ""
		}
		fmt.Fprintf(h, "%q %d\x00", c.Filename, len(c.Content))
		h.Write(c.Content)
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(h, "%q=%q\x00", k, env[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mayHold tells whether b contains one of words; it spares most files the
// slower regular expression.
func mayHold(b []byte, words ...string) bool {
	for _, w := range words {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
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

// validated says whether key passed validation before.
func validated(file, key string) bool {
	if file == "" || key == "" {
		return false
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	return slices.Contains(strings.Fields(string(b)), key)
}

// rememberValid records key; a cache that cannot be written only costs the
// next run its speed, so every failure is ignored.
func rememberValid(file, key string) {
	if file == "" || key == "" {
		return
	}
	b, _ := os.ReadFile(file)
	keys := slices.DeleteFunc(strings.Fields(string(b)), func(k string) bool { return k == key })
	keys = append(keys, key)
	if len(keys) > validCacheKeep {
		keys = keys[len(keys)-validCacheKeep:]
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".validated-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(bytes.Join(toBytes(keys), []byte("\n")))
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
