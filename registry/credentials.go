package registry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/credentials"
)

// Auth is a login for one registry, as the engine's X-Registry-Auth
// carries it.
type Auth struct {
	Username      string
	Password      string
	IdentityToken string
	ServerAddress string
}

// Credentials finds registry logins in the docker CLI's configuration. The
// file is read on first use, so commands that pull nothing never read it.
type Credentials struct {
	dir  string
	once sync.Once
	cfg  *configfile.ConfigFile
	err  error
}

// NewCredentials reads logins from $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json, taking DOCKER_CONFIG and HOME from environ.
func NewCredentials(environ []string) *Credentials {
	dir := lookup(environ, "DOCKER_CONFIG")
	if dir == "" {
		home := lookup(environ, "HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".docker")
	}
	return &Credentials{dir: dir}
}

func lookup(environ []string, key string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(environ[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// dockerHub are the names Docker Hub goes by; they share one login, stored
// under the key the docker CLI uses for it.
var dockerHub = map[string]bool{"docker.io": true, "index.docker.io": true, "registry-1.docker.io": true}

// For returns the login for host (a registry host as Ref.Host gives it),
// or nil when none is configured. A credential helper that fails is an
// error naming it: the pull would fail later with a less clear one.
func (c *Credentials) For(host string) (*Auth, error) {
	c.once.Do(c.load)
	if c.err != nil {
		return nil, c.err
	}
	key := host
	if dockerHub[host] {
		key = "docker.io" // the CLI maps it to https://index.docker.io/v1/
	}
	ac, err := c.cfg.GetAuthConfig(key)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s (%s): %w", host, c.source(key), err)
	}
	if ac.Username == "" && ac.Password == "" && ac.IdentityToken == "" && ac.Auth == "" {
		return nil, nil
	}
	return &Auth{Username: ac.Username, Password: ac.Password, IdentityToken: ac.IdentityToken, ServerAddress: host}, nil
}

// load reads the configuration; a missing file is no logins, a malformed
// one an error that names it.
func (c *Credentials) load() {
	c.cfg, c.err = config.Load(c.dir)
	if c.err != nil {
		c.err = fmt.Errorf("reading %s: %w", filepath.Join(c.dir, config.ConfigFileName), c.err)
		return
	}
	if !c.cfg.ContainsAuth() {
		c.cfg.CredentialsStore = credentials.DetectDefaultStore(c.cfg.CredentialsStore)
	}
}

// source names where the login for key comes from, for errors.
func (c *Credentials) source(key string) string {
	if h, ok := c.cfg.CredentialHelpers[key]; ok {
		return "credential helper docker-credential-" + h
	}
	if c.cfg.CredentialsStore != "" {
		return "credential helper docker-credential-" + c.cfg.CredentialsStore
	}
	return filepath.Join(c.dir, config.ConfigFileName)
}
