package stack

import (
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// Desired is a project as a stack: what the swarm should hold.
type Desired struct {
	Stack    string
	Services []Service // sorted by name
	Networks []engine.SwarmNetwork
	Secrets  []Object
	Configs  []Object
	// Warnings are the stack-wide losses (per-service ones are on Service).
	Warnings []string
}

// Object is a secret or config of the stack. One the stack creates is
// named <stack>_<key>-<digest of its content>: a new content is a new
// object, and the services roll onto it, where an in-use object could
// not be changed. An external one is only referenced.
type Object struct {
	Key      string // the compose key
	Name     string
	Data     []byte
	External bool
}

// Options are the inputs of Resolve that are not in the project.
type Options struct {
	// SecretKey keys the digests in secret names (an HMAC), so the name
	// gives nothing away about the value.
	SecretKey []byte
	// Pin maps image references to what the tasks run instead: on a
	// one-node swarm, the local image's ID, so the node never tries a
	// registry for an image it has and a rebuilt image rolls the service.
	Pin map[string]string
}

// Resolve reads what the project's secrets and configs hold (files,
// environment variables, content) and translates every service. It reads
// files, so the plan that follows need not.
func Resolve(p *types.Project, o Options) (Desired, error) {
	d := Desired{Stack: p.Name}
	var err error
	secrets, configs := map[string]types.FileObjectConfig{}, map[string]types.FileObjectConfig{}
	for k, v := range p.Secrets {
		secrets[k] = types.FileObjectConfig(v)
	}
	for k, v := range p.Configs {
		configs[k] = types.FileObjectConfig(v)
	}
	if d.Secrets, err = objects(p, secrets, "secret", o.SecretKey); err != nil {
		return Desired{}, err
	}
	if d.Configs, err = objects(p, configs, "config", nil); err != nil {
		return Desired{}, err
	}
	d.Networks = stackNetworks(p.Name, p, func(f string, a ...any) { d.Warnings = append(d.Warnings, fmt.Sprintf(f, a...)) })
	tr := &translator{stack: p.Name, p: p, secrets: names(d.Secrets), configs: names(d.Configs), pin: o.Pin}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s, err := tr.translate(p.Services[name])
		if err != nil {
			return Desired{}, err
		}
		d.Services = append(d.Services, s)
	}
	return d, nil
}

// names maps compose keys to Swarm object names.
func names(objs []Object) map[string]string {
	m := map[string]string{}
	for _, o := range objs {
		m[o.Key] = o.Name
	}
	return m
}

// objects reads the project's secrets (or configs) the services use.
func objects(p *types.Project, defs map[string]types.FileObjectConfig, kind string, key []byte) ([]Object, error) {
	var out []Object
	for _, k := range slices.Sorted(maps.Keys(defs)) {
		def := defs[k]
		if bool(def.External) {
			name := def.Name
			if name == "" {
				name = k
			}
			out = append(out, Object{Key: k, Name: name, External: true})
			continue
		}
		data, err := objectData(p, def)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", kind, k, err)
		}
		out = append(out, Object{Key: k, Name: scoped(p.Name, k) + "-" + digest(key, data), Data: data})
	}
	return out, nil
}

// objectData is a secret's or config's content: its file, its
// environment variable or its inline content.
func objectData(p *types.Project, def types.FileObjectConfig) ([]byte, error) {
	switch {
	case def.File != "":
		return os.ReadFile(def.File)
	case def.Environment != "":
		v, ok := p.Environment[def.Environment]
		if !ok {
			return nil, fmt.Errorf("environment variable %s is not set", def.Environment)
		}
		return []byte(v), nil
	case def.Content != "":
		return []byte(def.Content), nil
	}
	return nil, fmt.Errorf("no file, environment or content")
}
