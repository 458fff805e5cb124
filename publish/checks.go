package publish

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// BuildOnly refuses a project with services that have a build section and
// no image: the artifact carries no build context.
func BuildOnly(p *types.Project) error {
	var names []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if s := p.Services[name]; s.Image == "" && s.Build != nil {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("your Compose stack cannot be published as it only contains a build section for service(s):")
	for _, n := range names {
		fmt.Fprintf(&b, "\n- %q", n)
	}
	return errors.New(b.String())
}

// LocalIncludes refuses compose files that include files of this machine:
// the artifact would name files its users do not have. Remote includes
// (oci://, git) are kept as references.
func LocalIncludes(files []string) error {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var doc struct {
			Include []yaml.Node `yaml:"include"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, inc := range doc.Include {
			for _, path := range includePaths(inc) {
				if !isRemote(path) {
					return fmt.Errorf("cannot publish compose file with local includes: %s:%d includes %q", f, inc.Line, path)
				}
			}
		}
	}
	return nil
}

// includePaths are the files one include entry names: a string, or the
// path (a string or a list) of the long form.
func includePaths(n yaml.Node) []string {
	var s string
	if n.Decode(&s) == nil {
		return []string{s}
	}
	var long struct {
		Path yaml.Node `yaml:"path"`
	}
	if n.Decode(&long) != nil {
		return nil
	}
	var one string
	if long.Path.Decode(&one) == nil {
		return []string{one}
	}
	var many []string
	_ = long.Path.Decode(&many)
	return many
}

func isRemote(path string) bool {
	return strings.Contains(path, "://") || strings.HasPrefix(path, "git@")
}

// BindMounts lists the bind mounts of every service, one line each:
// `service "web": /src:/app`.
func BindMounts(p *types.Project) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		for _, v := range p.Services[name].Volumes {
			if v.Type == types.VolumeTypeBind {
				out = append(out, fmt.Sprintf("service %q: %s:%s", name, v.Source, v.Target))
			}
		}
	}
	return out
}

// unresolved loads one compose file as written: no interpolation, no
// environment resolution, extends and includes left as they are, paths
// made absolute.
func unresolved(ctx context.Context, p *types.Project, file string) (*types.Project, error) {
	pr, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		WorkingDir:  p.WorkingDir,
		Environment: p.Environment,
		ConfigFiles: []types.ConfigFile{{Filename: file}},
	}, func(o *loader.Options) {
		o.SkipValidation, o.SkipExtends, o.SkipConsistencyCheck, o.SkipInclude = true, true, true, true
		o.SkipInterpolation, o.SkipResolveEnvironment, o.ResolvePaths = true, true, true
		o.Profiles = p.Profiles
		o.SetProjectName(p.Name, true)
	})
	if err != nil {
		return nil, fmt.Errorf("read %s as written: %w", file, err)
	}
	return pr, nil
}
