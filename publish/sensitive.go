package publish

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/DefangLabs/secret-detector/pkg/detectors/keyword"
	"github.com/DefangLabs/secret-detector/pkg/scanner"
	"github.com/DefangLabs/secret-detector/pkg/secrets"
	"github.com/compose-spec/compose-go/v2/types"
)

// Finding is one piece of data that looks sensitive: what it looks like
// ("AWS Secret Key"), where (a key such as
// "services.web.environment.TOKEN", or "" in a plain file) and the value.
type Finding struct {
	Type, Key, Value string
}

// Sensitive scans what the artifact would carry, and what --with-env
// would add, for secrets: the compose files as written, the services' env
// files, and the files of configs and secrets.
func Sensitive(ctx context.Context, p *types.Project) ([]Finding, error) {
	scan := scanner.NewDefaultScanner()
	var found []secrets.DetectedSecret
	var files []string
	for _, file := range p.ComposeFiles {
		pr, err := unresolved(ctx, p, file)
		if err != nil {
			return nil, err
		}
		files = append(files, envFiles(pr)...)
		doc, err := pr.MarshalYAML()
		if err != nil {
			return nil, err
		}
		hits, err := scan.ScanReader(bytes.NewReader(doc))
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", file, err)
		}
		found = append(found, hits...)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Configs)) {
		files = append(files, p.Configs[name].File)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		files = append(files, p.Secrets[name].File)
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		hits, err := scan.ScanFile(f)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", f, err)
		}
		found = append(found, hits...)
	}
	out := make([]Finding, len(found))
	for i, s := range found {
		out[i] = Finding{Type: s.Type, Key: s.Key, Value: s.Value}
	}
	return out, nil
}

// envFiles are the env files the services of pr declare, as written (the
// loaded project has read them into the environment already); an optional
// one that is missing is left out.
func envFiles(pr *types.Project) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(pr.Services)) {
		for _, f := range pr.Services[name].EnvFiles {
			if _, err := os.Stat(f.Path); err == nil || f.Required {
				out = append(out, f.Path)
			}
		}
	}
	return out
}

// EnvFindings are the env declarations a service would publish.
type EnvFindings struct {
	EnvFile bool
	Keys    []string // variables with a literal value whose name looks sensitive, sorted
}

// Env finds, in the compose files as written and the local files they
// extend, the env declarations the artifact would carry: env_file, and
// literal values of variables whose names look sensitive (PASSWORD,
// TOKEN, API_KEY…). An interpolated value ("${DB_PASSWORD}") stays
// symbolic in the artifact, so it is no finding. configs are the configs
// with literal inline content, sorted.
func Env(ctx context.Context, p *types.Project) (services map[string]EnvFindings, configs []string, err error) {
	detector := keyword.NewDetector("0")
	keys := map[string]map[string]bool{}
	envFile := map[string]bool{}
	literal := map[string]bool{}
	queue, seen := slices.Clone(p.ComposeFiles), map[string]bool{}
	for len(queue) > 0 {
		file := queue[0]
		queue = queue[1:]
		if seen[file] {
			continue
		}
		seen[file] = true
		pr, err := unresolved(ctx, p, file)
		if err != nil {
			return nil, nil, err
		}
		for name, s := range pr.Services {
			if len(s.EnvFiles) > 0 {
				envFile[name] = true
			}
			hits, _ := detector.ScanMap(literalEnv(s.Environment))
			for _, h := range hits {
				if keys[name] == nil {
					keys[name] = map[string]bool{}
				}
				keys[name][h.Key] = true
			}
			if parent := localParent(s); parent != "" {
				queue = append(queue, parent)
			}
		}
		for name, c := range pr.Configs {
			if hits, _ := detector.ScanMap(map[string]string{"password": unescape(c.Content)}); c.Content != "" && len(hits) > 0 {
				literal[name] = true
			}
		}
	}
	services = map[string]EnvFindings{}
	for name := range envFile {
		services[name] = EnvFindings{EnvFile: true}
	}
	for name, set := range keys {
		f := services[name]
		f.Keys = slices.Sorted(maps.Keys(set))
		services[name] = f
	}
	return services, slices.Sorted(maps.Keys(literal)), nil
}

// literalEnv are the variables with a value, `$$` (a literal "$") made a
// plain character so the detector, which skips values starting with "$"
// (interpolations), sees the literal.
func literalEnv(env types.MappingWithEquals) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if v != nil {
			out[k] = unescape(*v)
		}
	}
	return out
}

func unescape(s string) string { return strings.ReplaceAll(s, "$$", "X") }

// localParent is the file s extends when it is on this machine.
func localParent(s types.ServiceConfig) string {
	if s.Extends == nil || s.Extends.File == "" {
		return ""
	}
	if _, err := os.Stat(s.Extends.File); err != nil {
		return ""
	}
	return s.Extends.File
}
