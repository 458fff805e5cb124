package imagebuild

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
)

// secretSource is where one build secret's value is read, at the moment
// the build asks for it: a file, or a value from the project's environment.
type secretSource struct {
	file  string
	value *string
}

// secretStore answers the build's secret requests. Values are read only
// when the build mounts them and never leave the session.
type secretStore map[string]secretSource

func (s secretStore) GetSecret(_ context.Context, id string) ([]byte, error) {
	src, ok := s[id]
	if !ok {
		return nil, secrets.ErrNotFound
	}
	if src.value != nil {
		return []byte(*src.value), nil
	}
	return os.ReadFile(src.file)
}

// sessionAttachables gathers what the build reaches through a BuildKit
// session: build.secrets (and --secret) and build.ssh (and --ssh). A secret
// whose file is missing fails here, before anything is built.
func sessionAttachables(p *types.Project, s types.ServiceConfig, o Options) ([]session.Attachable, error) {
	if o.Classic { // the classic builder has no session: Run warns about the keys
		return nil, nil
	}
	store, err := buildSecrets(p, s.Build.Secrets, o.Secrets)
	if err != nil {
		return nil, err
	}
	agents, err := sshAgents(s.Build.SSH, o.SSH)
	if err != nil {
		return nil, err
	}
	var out []session.Attachable
	if len(store) > 0 {
		out = append(out, secretsprovider.NewSecretProvider(store))
	}
	if len(agents) > 0 {
		a, err := sshprovider.NewSSHAgentProvider(agents)
		if err != nil {
			return nil, fmt.Errorf("ssh: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// buildSecrets resolves the service's build secrets against the project's
// top-level secrets (the id is the target when set, else the name), then
// the --secret flags.
func buildSecrets(p *types.Project, refs []types.ServiceSecretConfig, flags []string) (secretStore, error) {
	store := secretStore{}
	for _, ref := range refs {
		def, ok := projectSecret(p, ref.Source)
		if !ok {
			return nil, fmt.Errorf("secret %q is not defined in the top-level secrets", ref.Source)
		}
		id := ref.Source
		if ref.Target != "" {
			id = ref.Target
		}
		src, err := secretFrom(p, ref.Source, def)
		if err != nil {
			return nil, err
		}
		store[id] = src
	}
	for _, f := range flags {
		id, src, err := parseSecretFlag(p, f)
		if err != nil {
			return nil, err
		}
		store[id] = src
	}
	return store, nil
}

func projectSecret(p *types.Project, name string) (types.SecretConfig, bool) {
	if p == nil {
		return types.SecretConfig{}, false
	}
	def, ok := p.Secrets[name]
	return def, ok
}

// secretFrom reads where a top-level secret's value lives.
func secretFrom(p *types.Project, name string, def types.SecretConfig) (secretSource, error) {
	switch {
	case def.Environment != "":
		v, ok := p.Environment[def.Environment]
		if !ok {
			return secretSource{}, fmt.Errorf("secret %q: environment variable %s is not set", name, def.Environment)
		}
		return secretSource{value: &v}, nil
	case def.Content != "":
		v := def.Content
		return secretSource{value: &v}, nil
	case def.File != "":
		return fileSecret(name, def.File)
	}
	return secretSource{}, fmt.Errorf("secret %q: a build secret needs a file or an environment variable", name)
}

func fileSecret(name, file string) (secretSource, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return secretSource{}, fmt.Errorf("secret %q: %w", name, err)
	}
	if fi.IsDir() {
		return secretSource{}, fmt.Errorf("secret %q: %s is a directory", name, file)
	}
	return secretSource{file: file}, nil
}

// parseSecretFlag reads --secret id=ID[,src=FILE|,env=VAR] (type=file|env
// and source= are accepted as docker build takes them). Without src or env,
// the id names an environment variable when one is set, else a file.
func parseSecretFlag(p *types.Project, flag string) (string, secretSource, error) {
	attrs := cacheAttrs(flag)
	id := attrs["id"]
	if id == "" {
		return "", secretSource{}, fmt.Errorf("--secret %q: id= is required", flag)
	}
	file := cmpOr(attrs["src"], attrs["source"])
	env := attrs["env"]
	if attrs["type"] == "env" && env == "" {
		env = cmpOr(file, id)
		file = ""
	}
	if file == "" && env == "" {
		if _, ok := os.LookupEnv(id); ok {
			env = id
		} else {
			file = id
		}
	}
	if env != "" {
		v, ok := os.LookupEnv(env)
		if !ok && p != nil {
			v, ok = p.Environment[env]
		}
		if !ok {
			return "", secretSource{}, fmt.Errorf("--secret %q: environment variable %s is not set", id, env)
		}
		return id, secretSource{value: &v}, nil
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", secretSource{}, err
	}
	src, err := fileSecret(id, abs)
	return id, src, err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sshAgents merges build.ssh with --ssh flags ("default", "id=path,path").
// An empty path means the agent of SSH_AUTH_SOCK.
func sshAgents(keys types.SSHConfig, flags []string) ([]sshprovider.AgentConfig, error) {
	byID := map[string][]string{}
	for _, k := range keys {
		byID[cmpOr(k.ID, "default")] = pathsOf(k.Path)
	}
	for _, f := range flags {
		id, paths, _ := strings.Cut(f, "=")
		if id == "" {
			return nil, fmt.Errorf("--ssh %q: an id is required (default or id=path)", f)
		}
		byID[id] = pathsOf(paths)
	}
	var out []sshprovider.AgentConfig
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		paths := byID[id]
		if len(paths) == 0 && os.Getenv("SSH_AUTH_SOCK") == "" {
			return nil, fmt.Errorf("ssh %q: no key path given and SSH_AUTH_SOCK is not set (start an ssh-agent or name a key file)", id)
		}
		out = append(out, sshprovider.AgentConfig{ID: id, Paths: paths})
	}
	return out, nil
}

func pathsOf(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
