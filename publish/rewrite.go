package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/compose-spec/compose-go/v2/types"
)

// placeholder is the name a local file gets in the artifact: a hash of its
// path, so the artifact never shows where it lives on this machine.
func placeholder(path, ext string) string {
	return fmt.Sprintf("%x%s", sha256.Sum256([]byte(path)), ext)
}

// edit is one scalar of a compose file to write anew.
type edit struct {
	node  *yaml.Node
	value string
}

// rewritten is a compose file as the artifact carries it: its env_file
// and local extends.file entries replaced by placeholders, the rest
// byte for byte. envFiles and parents map the local files it names (that
// exist) to their placeholders.
func rewritten(ctx context.Context, p *types.Project, file string) (data []byte, envFiles, parents map[string]string, err error) {
	data, err = os.ReadFile(file)
	if err != nil {
		return nil, nil, nil, err
	}
	pr, err := unresolved(ctx, p, file)
	if err != nil {
		return nil, nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	envFiles, parents = map[string]string{}, map[string]string{}
	var edits []edit
	for _, name := range slices.Sorted(maps.Keys(pr.Services)) {
		s := pr.Services[name]
		svc := path(&doc, "services", name)
		for i, f := range s.EnvFiles {
			hash := placeholder(f.Path, ".env")
			if _, err := os.Stat(f.Path); err == nil {
				envFiles[f.Path] = hash
			}
			if n := envFileNode(path(svc, "env_file"), i); n != nil {
				edits = append(edits, edit{n, hash})
			}
		}
		if parent := localParent(s); parent != "" {
			parents[parent] = placeholder(parent, ".yaml")
			if n := path(svc, "extends", "file"); n != nil {
				edits = append(edits, edit{n, parents[parent]})
			}
		}
	}
	return replaceScalars(data, edits), envFiles, parents, nil
}

// path is the node at keys under n (a document or mapping), nil when absent.
func path(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			n = n.Content[0]
		}
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// envFileNode is the scalar of the i-th env file: env_file is one string,
// or a list of strings or of {path: …}.
func envFileNode(n *yaml.Node, i int) *yaml.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.ScalarNode && i == 0:
		return n
	case n.Kind == yaml.SequenceNode && i < len(n.Content):
		if e := n.Content[i]; e.Kind == yaml.MappingNode {
			return path(e, "path")
		} else if e.Kind == yaml.ScalarNode {
			return e
		}
	}
	return nil
}

// replaceScalars writes each edit's value over its scalar's text (quotes
// included), leaving every other byte as it was.
func replaceScalars(data []byte, edits []edit) []byte {
	type span struct {
		start, end int
		value      string
	}
	var spans []span
	for _, e := range edits {
		start := offset(data, e.node.Line, e.node.Column)
		if start < 0 {
			continue
		}
		end := start + len(e.node.Value)
		if e.node.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			q := data[start]
			close := bytes.IndexByte(data[start+1:], q)
			if close < 0 {
				continue
			}
			end = start + 1 + close + 1
		}
		spans = append(spans, span{start, min(end, len(data)), e.value})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start > spans[j].start })
	out := slices.Clone(data)
	for _, s := range spans {
		out = slices.Concat(out[:s.start], []byte(s.value), out[s.end:])
	}
	return out
}

// offset is the byte offset of line and column (1-based), -1 past the end.
func offset(data []byte, line, column int) int {
	pos := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			return -1
		}
		pos += i + 1
	}
	if pos+column-1 > len(data) {
		return -1
	}
	return pos + column - 1
}
