package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultHost is where a local engine listens when nothing says otherwise.
const DefaultHost = "unix:///var/run/docker.sock"

// Endpoint is the engine berth talks to and where that choice came from.
type Endpoint struct {
	Host string
	// From says who chose Host: "DOCKER_HOST", `context "name"` or "default".
	From string
	// TLSDir holds ca.pem, cert.pem and key.pem when the endpoint needs TLS.
	TLSDir string
	// SkipTLSVerify accepts any server certificate (a context's SkipTLSVerify).
	SkipTLSVerify bool
}

// ResolveEndpoint finds the engine the way the docker CLI does, reading only
// the given environment and files: DOCKER_HOST, else the current context
// (DOCKER_CONTEXT, else currentContext in config.json) from the context
// store, else the local socket. It does not import the CLI, which would
// bring most of it along.
func ResolveEndpoint(environ []string) (Endpoint, error) {
	env := lookup(environ)
	cfgDir := configDir(env)
	if host := env("DOCKER_HOST"); host != "" {
		ep := Endpoint{Host: host, From: "DOCKER_HOST"}
		if env("DOCKER_TLS_VERIFY") != "" || env("DOCKER_CERT_PATH") != "" {
			ep.TLSDir = env("DOCKER_CERT_PATH")
			if ep.TLSDir == "" {
				ep.TLSDir = cfgDir
			}
			ep.SkipTLSVerify = env("DOCKER_TLS_VERIFY") == ""
		}
		return ep, nil
	}
	name := env("DOCKER_CONTEXT")
	if name == "" {
		var err error
		if name, err = currentContext(cfgDir); err != nil {
			return Endpoint{}, err
		}
	}
	if name == "" || name == "default" {
		return Endpoint{Host: DefaultHost, From: "default"}, nil
	}
	return contextEndpoint(cfgDir, name)
}

// lookup returns a getter over environ; the last assignment wins, as in a shell.
func lookup(environ []string) func(string) string {
	return func(key string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(environ[i], "="); ok && k == key {
				return v
			}
		}
		return ""
	}
}

// configDir is the docker CLI's configuration directory.
func configDir(env func(string) string) string {
	if dir := env("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	home := env("HOME")
	if home == "" {
		home, _ = os.UserHomeDir() // no home: the relative ".docker" finds nothing, which is right
	}
	return filepath.Join(home, ".docker")
}

// currentContext reads currentContext from config.json; a missing file
// means the default context.
func currentContext(cfgDir string) (string, error) {
	file := filepath.Join(cfgDir, "config.json")
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("docker config %s: %w", file, err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("docker config %s: %w", file, err)
	}
	return cfg.CurrentContext, nil
}

// contextMeta is the part of a context store's meta.json berth reads.
type contextMeta struct {
	Name      string
	Endpoints map[string]struct {
		Host          string
		SkipTLSVerify bool
	}
}

// contextEndpoint reads the docker endpoint of context name from the store,
// where each context lives in a directory named by the SHA-256 of its name.
func contextEndpoint(cfgDir, name string) (Endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	file := filepath.Join(cfgDir, "contexts", "meta", id, "meta.json")
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return Endpoint{}, fmt.Errorf("docker context %q: not found in %s (choose another with DOCKER_CONTEXT or set DOCKER_HOST)", name, filepath.Join(cfgDir, "contexts"))
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: %w", name, err)
	}
	var meta contextMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: %s: %w", name, file, err)
	}
	docker, ok := meta.Endpoints["docker"]
	if !ok || docker.Host == "" {
		return Endpoint{}, fmt.Errorf("docker context %q: no docker endpoint in %s", name, file)
	}
	ep := Endpoint{Host: docker.Host, From: fmt.Sprintf("context %q", name), SkipTLSVerify: docker.SkipTLSVerify}
	tlsDir := filepath.Join(cfgDir, "contexts", "tls", id, "docker")
	if _, err := os.Stat(filepath.Join(tlsDir, "cert.pem")); err == nil {
		ep.TLSDir = tlsDir
	}
	return ep, nil
}
