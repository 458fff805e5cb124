package compose

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// sources keeps the bytes of every compose file read during one Load, so an
// error or warning that compose-go reports as a key path ("services.db.imgae")
// can be turned back into the line and column the user wrote.
type sources struct {
	workingDir string            // where berth runs; names are shown relative to it
	order      []string          // file names in load order
	content    map[string][]byte // by file name as compose-go reports it
	trees      map[string][]*yaml.Node
}

func newSources(workingDir string) *sources {
	return &sources{workingDir: workingDir, content: map[string][]byte{}, trees: map[string][]*yaml.Node{}}
}

func (s *sources) add(name string, b []byte) {
	if _, ok := s.content[name]; !ok {
		s.order = append(s.order, name)
	}
	s.content[name] = b
}

// display is how a file is named in messages: relative to the working
// directory when it lies below it, "-" for stdin.
func (s *sources) display(name string) string {
	if name == "" || name == "-" || !filepath.IsAbs(name) || s.workingDir == "" {
		return name
	}
	rel, err := filepath.Rel(s.workingDir, name)
	if err != nil || strings.HasPrefix(rel, "..") {
		return name
	}
	return rel
}

// documents parses a file into yaml.v3 node trees, once. Files that were
// included or extended are read from disk on demand.
func (s *sources) documents(name string) []*yaml.Node {
	if docs, ok := s.trees[name]; ok {
		return docs
	}
	b, ok := s.content[name]
	if !ok {
		var err error
		if b, err = os.ReadFile(name); err != nil {
			s.trees[name] = nil
			return nil
		}
	}
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) || err != nil {
			break
		}
		docs = append(docs, &doc)
	}
	s.trees[name] = docs
	return docs
}

// find looks path up in the preferred file first, then in every file read,
// and returns the file and the node the path ends at. ok, when given, must
// accept the value found there.
func (s *sources) find(preferred string, path []string, ok func(val *yaml.Node) bool) (string, *yaml.Node, *yaml.Node) {
	names := s.order
	if preferred != "" {
		names = append([]string{preferred}, names...)
	}
	if ok == nil {
		ok = func(*yaml.Node) bool { return true }
	}
	for _, name := range names {
		for _, doc := range s.documents(name) {
			root := documentRoot(doc)
			if at, val := lookup(root, root, path, ok, 0); at != nil {
				return name, at, val
			}
		}
	}
	return preferred, nil, nil
}

// lookup follows path from n, which at points at. A mapping entry resolves
// to its key node (where a person looks for a typo), a sequence item to the
// item. "[]" stands for any item of a sequence: the first whose value ok
// accepts wins. Keys may contain dots ("my.service"), so several parts may
// join into one key.
func lookup(at, n *yaml.Node, path []string, ok func(*yaml.Node) bool, depth int) (*yaml.Node, *yaml.Node) {
	n = deref(n)
	if len(path) == 0 {
		if ok(n) {
			return at, n
		}
		return nil, nil
	}
	if n == nil || depth > 64 {
		return nil, nil
	}
	if n.Kind == yaml.SequenceNode && path[0] == "[]" {
		for _, item := range n.Content {
			if a, v := lookup(item, item, path[1:], ok, depth+1); a != nil {
				return a, v
			}
		}
		return nil, nil
	}
	key, val, used := child(n, path, 0)
	if val == nil {
		return nil, nil
	}
	return lookup(key, val, path[used:], ok, depth+1)
}

// documentRoot is the top node of a document.
func documentRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0]
	}
	return doc
}

func deref(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode && depth < 32; depth++ {
		n = n.Alias
	}
	return n
}

// maxMergeDepth bounds how deep lookups follow YAML merges (<<: *a) into
// merges: real files use one or two levels, and a crafted file could
// otherwise make the search exponential.
const maxMergeDepth = 8

// child finds the entry of n named by the first parts of path and returns
// the node to point at, its value and how many parts it used.
func child(n *yaml.Node, path []string, depth int) (at, val *yaml.Node, used int) {
	if n == nil || depth > maxMergeDepth {
		return nil, nil, 0
	}
	switch n.Kind {
	case yaml.SequenceNode:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(n.Content) {
			return nil, nil, 0
		}
		return n.Content[i], n.Content[i], 1
	case yaml.MappingNode:
		return mappingChild(n, path, depth)
	}
	return nil, nil, 0
}

func mappingChild(n *yaml.Node, path []string, depth int) (at, val *yaml.Node, used int) {
	for parts := len(path); parts >= 1; parts-- {
		want := strings.Join(path[:parts], ".")
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == want && n.Content[i].Value != "<<" {
				return n.Content[i], n.Content[i+1], parts
			}
		}
	}
	// A key may come from a YAML merge (<<: *defaults).
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "<<" {
			continue
		}
		merged := deref(n.Content[i+1])
		candidates := []*yaml.Node{merged}
		if merged != nil && merged.Kind == yaml.SequenceNode {
			candidates = merged.Content
		}
		for _, m := range candidates {
			if at, val, used := child(deref(m), path, depth+1); val != nil {
				return at, val, used
			}
		}
	}
	return nil, nil, 0
}

// checkAliases rejects an alias used inside its own anchor
// ("x: &a {<<: *a}"). compose-go follows such an alias until the stack
// overflows, a crash no recover can turn into an error, so it is caught here
// first.
func (s *sources) checkAliases(name string) error {
	for _, doc := range s.documents(name) {
		if n := selfAlias(doc, map[*yaml.Node]bool{}); n != nil {
			return &Error{File: s.display(name), Line: n.Line, Column: n.Column,
				Msg: "yaml: alias *" + n.Value + " is used inside its own anchor"}
		}
	}
	return nil
}

// aliasesFirst returns the first alias error of the files read so far,
// else err: a file's own error comes before any that follows it.
func (s *sources) aliasesFirst(err error) error {
	for _, name := range s.order {
		if aerr := s.checkAliases(name); aerr != nil {
			return aerr
		}
	}
	return err
}

// selfAlias returns an alias below n that points at a node still open (an
// ancestor): only such an alias can make a cycle, as an anchor can only be
// referred to after it starts.
func selfAlias(n *yaml.Node, open map[*yaml.Node]bool) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if open[n.Alias] {
			return n
		}
		return nil
	}
	open[n] = true
	defer delete(open, n)
	for _, c := range n.Content {
		if a := selfAlias(c, open); a != nil {
			return a
		}
	}
	return nil
}
