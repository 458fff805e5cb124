package reconciler

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// fileRef is one secret or config a service uses, resolved against the
// project's top-level declaration.
type fileRef struct {
	kind     string // "secret" or "config"
	name     string // the top-level key
	target   string // absolute path in the container
	file     string // host file ("" when given by environment or content)
	env      string // project variable holding the content
	content  string
	external bool
	declared bool
	ref      types.FileReferenceConfig
}

// fileRefs lists the service's secrets, then its configs.
func fileRefs(p *types.Project, s types.ServiceConfig) []fileRef {
	var out []fileRef
	for _, sec := range s.Secrets {
		f, ok := p.Secrets[sec.Source]
		out = append(out, fileRef{kind: "secret", name: sec.Source, target: secretTarget(sec.Source, sec.Target),
			file: f.File, env: f.Environment, content: f.Content, external: bool(f.External), declared: ok,
			ref: types.FileReferenceConfig(sec)})
	}
	for _, c := range s.Configs {
		f, ok := p.Configs[c.Source]
		out = append(out, fileRef{kind: "config", name: c.Source, target: configTarget(c.Source, c.Target),
			file: f.File, env: f.Environment, content: f.Content, external: bool(f.External), declared: ok,
			ref: types.FileReferenceConfig(c)})
	}
	return out
}

// InjectedFile is a file berth writes into a container after creating it
// and before starting it: a secret or config given by environment: or
// content:, which has no host file to mount.
type InjectedFile struct {
	Kind    string // "secret" or "config", for messages
	Name    string
	Path    string // absolute path in the container
	Content []byte
	Mode    uint32
	UID     int
	GID     int
}

// injectedFiles resolves the secrets and configs of service that have no
// host file into the files to write; a variable that is not set is an
// error, as in Docker Compose.
func injectedFiles(p *types.Project, service string, refs []fileRef) ([]InjectedFile, error) {
	var out []InjectedFile
	for _, r := range refs {
		if r.file != "" || r.external || !r.declared {
			continue
		}
		content := r.content
		// compose-go fills content from environment: while loading, from
		// the environment of the file that declares the secret: an
		// included file's env_file holds its variables, not the project's.
		if r.env != "" && content == "" {
			v, ok := p.Environment[r.env]
			if !ok {
				return nil, fmt.Errorf("service %q: environment variable %q required by %s %q is not set", service, r.env, r.kind, r.name)
			}
			content = v
		}
		f := InjectedFile{Kind: r.kind, Name: r.name, Path: r.target, Content: []byte(content), Mode: 0o444}
		if r.ref.Mode != nil {
			f.Mode = uint32(*r.ref.Mode)
		}
		f.UID, f.GID = atoi(r.ref.UID), atoi(r.ref.GID)
		out = append(out, f)
	}
	return out, nil
}
