package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"
)

// The differential test edits a project at random, with a fixed seed, and
// after every edit loads it twice: with the validation cache and without
// any. The two loads must agree on everything Load returns and on what
// compose-go logs. The edits reach every file a load reads (the compose
// file in block style, flow style, quoted keys or JSON, with anchors,
// extends, include, version and invalid values; the extended and included
// files; env files, label files, .env, the included project's .env) and
// the variables and options it is given, from a small set of states, so
// states repeat and the cache is really consulted. Only loads whose
// variables are all unset are remembered, so the variables interpolation
// looks up have defaults and are usually unset, and edits set and unset
// them; every other remembered load is also tried with one of its
// variables set, which must load in full. At the end no value a variable
// was set to, nor its SHA-256, may be found under the cache directory.

// differentialSeed makes a run reproducible (states are sticky, so the
// counts the guard checks vary with it); 1,000 edits take 5 to 15 s on the
// shared 2-core machine, so -short runs a quarter of them.
const (
	differentialSeed  = 1
	differentialEdits = 1000
)

// node is a compose file under construction: a mapping (pairs), a
// sequence (items), a string, or a number written as it is (raw).
type node struct {
	pairs  []pair
	items  []node
	str    string
	raw    string
	anchor string // yaml styles only: this mapping is anchored
	alias  string // yaml styles only: this is *alias
}

type pair struct {
	key   string
	value node
}

func m(kv ...any) node {
	var n node
	for i := 0; i < len(kv); i += 2 {
		v, ok := kv[i+1].(node)
		if !ok {
			v = node{str: kv[i+1].(string)}
		}
		n.pairs = append(n.pairs, pair{kv[i].(string), v})
	}
	return n
}

func seqOf(items ...string) node {
	n := node{items: []node{}}
	for _, s := range items {
		n.items = append(n.items, node{str: s})
	}
	return n
}

// yamlNode renders n for yaml.v3 in style "block", "flow" or "quoted".
func (n node) yamlNode(style string, anchors map[string]*yaml.Node) *yaml.Node {
	switch {
	case n.alias != "":
		return &yaml.Node{Kind: yaml.AliasNode, Value: n.alias, Alias: anchors[n.alias]}
	case n.raw != "":
		tag := map[string]string{"true": "!!bool", "null": "!!null"}[n.raw]
		if tag == "" {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: n.raw}
	case n.items != nil:
		y := &yaml.Node{Kind: yaml.SequenceNode}
		for _, it := range n.items {
			y.Content = append(y.Content, it.yamlNode(style, anchors))
		}
		if style == "flow" {
			y.Style = yaml.FlowStyle
		}
		return y
	case n.pairs != nil:
		y := &yaml.Node{Kind: yaml.MappingNode, Anchor: n.anchor}
		if n.anchor != "" {
			anchors[n.anchor] = y
		}
		for _, p := range n.pairs {
			k := &yaml.Node{Kind: yaml.ScalarNode, Value: p.key}
			if style == "quoted" && p.key != "<<" {
				k.Style = yaml.DoubleQuotedStyle
			}
			y.Content = append(y.Content, k, p.value.yamlNode(style, anchors))
		}
		if style == "flow" {
			y.Style = yaml.FlowStyle
		}
		return y
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.str}
}

// json renders n as JSON; anchors and aliases have no JSON form.
func (n node) json(b *bytes.Buffer) {
	switch {
	case n.raw != "":
		b.WriteString(n.raw)
	case n.items != nil:
		b.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.json(b)
		}
		b.WriteByte(']')
	case n.pairs != nil:
		b.WriteByte('{')
		for i, p := range n.pairs {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(p.key)
			b.Write(k)
			b.WriteByte(':')
			p.value.json(b)
		}
		b.WriteByte('}')
	default:
		s, _ := json.Marshal(n.str)
		b.Write(s)
	}
}

// corpus is the project being edited and the variables it is given.
type corpus struct {
	t    *testing.T
	dir  string
	rng  *rand.Rand
	vars map[string]string
	main string // compose.yaml or compose.json
	opts Options
}

func oneOf[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// write replaces (or with content "" removes) a file of the project.
func (c *corpus) write(name, content string) {
	path := filepath.Join(c.dir, name)
	if content == "" {
		os.Remove(path)
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// mainFile builds a random compose file from a few dozen features.
func (c *corpus) mainFile() node {
	r := c.rng
	anchored := r.IntN(3) == 0
	web := m("image", oneOf(r, "busybox", "${IMG:-busybox}", "${IMG:-busybox}", "${IMG}", "x:${TAG:-1}"))
	if anchored {
		web.pairs = append(web.pairs, pair{"<<", node{alias: "common"}})
	}
	switch r.IntN(5) {
	case 1:
		web.pairs = append(web.pairs, pair{"extends", m("service", "base0")})
	case 2:
		web.pairs = append(web.pairs, pair{"extends", m("file", oneOf(r, "base.yaml", "${BASE:-base.yaml}"), "service", "base")})
	}
	if r.IntN(6) == 0 {
		web.pairs = append(web.pairs, pair{"env_file", seqOf("web.env")})
	}
	if r.IntN(6) == 0 {
		web.pairs = append(web.pairs, pair{"label_file", node{str: "web.labels"}})
	}
	switch r.IntN(12) {
	case 0:
		web.pairs = append(web.pairs, pair{"environment", seqOf("FROM_SHELL", "SET=${TAG-none}")})
	case 1:
		web.pairs = append(web.pairs, pair{"environment", m("FROM_SHELL", node{raw: "null"}, "SET", "${TAG-none}")})
	case 2:
		web.pairs = append(web.pairs, pair{"build", m("context", ".", "args", seqOf("FROM_SHELL"))})
	case 3, 4:
		web.pairs = append(web.pairs, pair{"environment", m("SET", "${TAG-none}", "K", "v")})
	}
	switch r.IntN(10) {
	case 0:
		web.pairs = append(web.pairs, pair{"imgae", node{str: "typo"}})
	case 1:
		web.pairs = append(web.pairs, pair{"cpus", node{raw: oneOf(r, "1.5", ".inf")}})
	case 2:
		web.pairs = append(web.pairs, pair{"cpus", node{str: "${CPUS:-1.5}"}})
	}
	var top node
	services := m("web", web, "base0", m("image", "busybox", "read_only", node{raw: "true"}))
	if r.IntN(3) == 0 {
		admin := m("image", "${ADMIN_IMG:-busybox}", "profiles", seqOf("ops"))
		if r.IntN(3) == 0 {
			admin.pairs = append(admin.pairs, pair{"env_file", seqOf("admin.env")})
		}
		services.pairs = append(services.pairs, pair{"admin", admin})
	}
	if r.IntN(8) == 0 {
		top.pairs = append(top.pairs, pair{"secrets", m("token", m("environment", "SECRET"))})
	}
	if r.IntN(6) == 0 {
		top.pairs = append(top.pairs, pair{"version", node{str: "3.9"}})
	}
	if r.IntN(3) == 0 {
		top.pairs = append(top.pairs, pair{"name", node{str: oneOf(r, "demo", "${NAME:-named}")}})
	}
	if r.IntN(4) == 0 {
		top.pairs = append(top.pairs, pair{"include", seqOf("inc/compose.yaml")})
	}
	if anchored {
		common := m("labels", m("shared", oneOf(r, "yes", "${TAG:-no}")))
		common.anchor = "common"
		top.pairs = append(top.pairs, pair{"x-common", common})
	}
	top.pairs = append(top.pairs, pair{"services", services})
	return top
}

// renderMain writes the compose file in a random style; JSON has no
// anchors and no infinity, so such a file stays YAML.
func (c *corpus) renderMain() {
	top := c.mainFile()
	style := oneOf(c.rng, "block", "flow", "quoted", "json")
	var b bytes.Buffer
	text := fmt.Sprint(top)
	if style == "json" && !strings.Contains(text, "common") && !strings.Contains(text, ".inf") {
		top.json(&b)
		c.write("compose.yaml", "")
		c.main = "compose.json"
	} else {
		if style == "json" {
			style = "flow"
		}
		out, err := yaml.Marshal(top.yamlNode(style, map[string]*yaml.Node{}))
		if err != nil {
			c.t.Fatal(err)
		}
		b.Write(out)
		c.write("compose.json", "")
		c.main = "compose.yaml"
	}
	c.write(c.main, b.String())
}

// edit changes one thing at random.
func (c *corpus) edit() {
	r := c.rng
	switch r.IntN(14) {
	case 0:
		c.renderMain()
	case 1:
		c.write("base.yaml", oneOf(r,
			"services:\n  base:\n    image: busybox\n    environment: {B: \"1\"}\n",
			"{services: {base: {image: nginx, extends: {file: base2.yaml, service: b2}}}}\n",
			`{"services": {"base": {"image": "${IMG:-busybox}"}}}`,
			"services:\n  base:\n    imgae: busybox\n",
			"services:\n  base:\n    image: busybox\n    cpus: .inf\n",
			""))
	case 2:
		c.write("base2.yaml", oneOf(r, "services:\n  b2:\n    image: redis\n", "services:\n  b2:\n    ports: [nope]\n"))
	case 3:
		c.write("inc/compose.yaml", oneOf(r,
			"services:\n  inc:\n    image: ${INC_IMG:-redis}\n",
			"{services: {inc: {image: redis, \"read_only\": true}}}\n",
			"services:\n  inc:\n    image: redis\n",
			"services:\n  inc:\n    imgae: redis\n"))
	case 4:
		c.write("inc/.env", oneOf(r, "INC_IMG=inc-dotenv-a\n", "INC_IMG=inc-dotenv-b\n", ""))
	case 5:
		c.write("web.env", oneOf(r, "A=1\n", "A=2\n", "A=${IMG:-none}\n", ""))
	case 6:
		c.write("web.labels", oneOf(r, "L=1\n", "L=${A:-2}\n", "L=3\n", ""))
	case 7:
		c.write("admin.env", oneOf(r, "T=1\n", "T=2\n", ""))
	case 8:
		c.write(".env", oneOf(r, "", "", "", "UNUSED=unused-dotenv\n", "IMG=img-dotenv\n", "TAG=tag-dotenv\n",
			"IMG=${TAG:-q}\nNAME=name-dotenv\n"))
	case 9, 11, 12, 13:
		name := oneOf(r, "IMG", "TAG", "FROM_SHELL", "FROM_SHELL", "SECRET", "SECRET", "COMPOSE_PROJECT_NAME", "BASE", "NAME", "CPUS", "TOKEN")
		if v := oneOf(r, differentialValues[name]...); v == "" {
			delete(c.vars, name)
		} else {
			c.vars[name] = v
		}
	case 10:
		c.opts.Services = oneOf(r, nil, nil, nil, []string{"admin"}, []string{"web"})
		c.opts.Profiles = oneOf(r, nil, []string{"ops"})
	}
}

// differentialValues are what an edit sets a variable to, "" for unset.
// Most are usually unset, and those interpolation looks up have defaults,
// so many loads are remembered and a later edit setting one must miss.
// TOKEN is never looked up, FROM_SHELL and SECRET only by compose-go
// itself. The values that could hold a secret contain "-set-" (and those
// from .env "-dotenv"), so the cache directory can be searched for them.
var differentialValues = map[string][]string{
	"IMG": {"", "", "", "img-set-a", "img-set-b"}, "TAG": {"", "", "", "tag-set-1", "tag-set-2"},
	"FROM_SHELL": {"", "shell-set-x", "shell-set-y"}, "SECRET": {"", "secret-set-1", "secret-set-2"},
	"COMPOSE_PROJECT_NAME": {"", "", "", "", "proj-set-1"}, "BASE": {"", "", "", "base.yaml", "missing.yaml"},
	"NAME": {"", "", "", "name-set-1"}, "CPUS": {"", "", "", "", "2", "x"}, "TOKEN": {"", "token-set-1"},
}

// options are the corpus's options with the given cache directory.
func (c *corpus) options(cacheHome string) Options {
	o := c.opts
	o.WorkingDir, o.Files = c.dir, []string{c.main}
	o.Environ = []string{"XDG_CACHE_HOME=" + cacheHome}
	for k, v := range c.vars {
		o.Environ = append(o.Environ, k+"="+v)
	}
	return o
}

// loaded is everything one load gave.
type loaded struct {
	project  any
	warnings []Warning
	err      string
	logs     string
}

// loadLogged loads o and keeps what compose-go logged, except the obsolete
// version warning, which compose-go prints once per file and process.
func loadLogged(t *testing.T, o Options) loaded {
	std := logrus.StandardLogger()
	var buf bytes.Buffer
	out, formatter := std.Out, std.Formatter
	std.SetOutput(&buf)
	std.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	defer func() { std.SetOutput(out); std.SetFormatter(formatter) }()
	p, warnings, err := Load(t.Context(), o)
	var l loaded
	if err != nil {
		l.err = err.Error()
	} else {
		delete(p.Environment, "XDG_CACHE_HOME")
		l.project, l.warnings = p, warnings
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if !strings.Contains(line, "the attribute `version` is obsolete") {
			l.logs += line
		}
	}
	return l
}

// cacheInput is what Load would look the caches up with for o now.
func cacheInput(o Options) (cache, input string, env map[string]string, ok bool) {
	files, _, err := configFiles(o)
	if err != nil {
		return "", "", nil, false
	}
	configs, err := readFiles(o, files, newSources(o.WorkingDir))
	if err != nil {
		return "", "", nil, false
	}
	dir := projectDir(o, files)
	if env, err = environment(o, dir); err != nil {
		return "", "", nil, false
	}
	return validCacheFile(o.Environ), inputKey(o, dir, configs), env, true
}

// wouldSkip tells whether Load would skip validation for o now, and
// whether it would serve a stored project.
func wouldSkip(o Options) (skip, serve bool) {
	cache, input, env, ok := cacheInput(o)
	if !ok {
		return false, false
	}
	skip = validated(cache, input, env) // first: a hit fills env in
	_, serve, _ = cachedProject(projectFile(cache, input), env)
	return skip, serve
}

// storedEntry is the project cache's entry for o's input, nil if none.
func storedEntry(o Options) []byte {
	cache, input, _, ok := cacheInput(o)
	if !ok {
		return nil
	}
	b, _ := os.ReadFile(projectFile(cache, input))
	return b
}

// rememberedNames are the variables the validation cache's line for o's
// input names: those its load looked up, all unset.
func rememberedNames(o Options) []string {
	cache, input, _, ok := cacheInput(o)
	if !ok {
		return nil
	}
	b, _ := os.ReadFile(cache)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == input {
			return f[1:]
		}
	}
	return nil
}

func TestValidCacheDifferential(t *testing.T) {
	c := &corpus{t: t, dir: t.TempDir(), rng: rand.New(rand.NewPCG(differentialSeed, 0)), vars: map[string]string{}}
	cacheHome := t.TempDir()
	// A regular file where the uncached load's cache directory would be:
	// it can neither read nor write a cache.
	noCache := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(noCache, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, c.dir, map[string]string{
		"base.yaml": "services:\n  base:\n    image: busybox\n", "base2.yaml": "services:\n  b2:\n    image: redis\n",
		"inc/compose.yaml": "services:\n  inc:\n    image: redis\n",
		"web.env":          "A=1\n", "web.labels": "L=1\n", "admin.env": "T=1\n",
	})
	c.renderMain()
	edits := differentialEdits
	if testing.Short() {
		edits /= 4
	}
	var skipped, skippedOK, served, failed, remembered, turnedAway int
	for i := range edits {
		c.edit()
		cachedOpts := c.options(cacheHome)
		skip, serve := wouldSkip(cachedOpts)
		cached, plain := loadLogged(t, cachedOpts), loadLogged(t, c.options(noCache))
		switch {
		case cached.err != "":
			failed++
		case skip:
			skippedOK++
		}
		if skip {
			skipped++
		}
		if serve {
			served++
		}
		if !reflect.DeepEqual(cached, plain) {
			b, _ := os.ReadFile(filepath.Join(c.dir, c.main))
			t.Fatalf("edit %d (seed %d): the cached load differs\ncached: %+v\nplain:  %+v\n%s:\n%s",
				i, differentialSeed, cached, plain, c.main, b)
		}
		// What the load left in the caches: a successful load is
		// remembered only when every variable it looked up was unset.
		skipAfter, _ := wouldSkip(cachedOpts)
		if !skipAfter || cached.err != "" {
			continue
		}
		remembered++
		// Every other remembered load is tried again at once with one of
		// the variables it looked up set: that load must be full, equal
		// to an uncached one, and leave both caches' entries as they were.
		names, entry := rememberedNames(cachedOpts), storedEntry(cachedOpts)
		if i%2 != 0 || len(names) == 0 {
			continue
		}
		set := func(o Options) Options {
			o.Environ = append(slices.Clone(o.Environ), fmt.Sprintf("%s=probe-set-%d", names[i%len(names)], i))
			return o
		}
		if skip, serve := wouldSkip(set(cachedOpts)); skip || serve {
			t.Fatalf("edit %d (seed %d): %s set, yet skips validation %v, served %v", i, differentialSeed,
				names[i%len(names)], skip, serve)
		}
		if cached, plain := loadLogged(t, set(cachedOpts)), loadLogged(t, set(c.options(noCache))); !reflect.DeepEqual(cached, plain) {
			t.Fatalf("edit %d (seed %d) with %s set: the cached load differs\ncached: %+v\nplain:  %+v",
				i, differentialSeed, names[i%len(names)], cached, plain)
		}
		if skip, serve := wouldSkip(set(cachedOpts)); skip || serve || !slices.Equal(rememberedNames(cachedOpts), names) ||
			!bytes.Equal(storedEntry(cachedOpts), entry) {
			t.Fatalf("edit %d (seed %d): the load with %s set was remembered", i, differentialSeed, names[i%len(names)])
		}
		turnedAway++
	}
	t.Logf("%d edits: %d loads skipped validation (%d of them loaded), %d were served from the project cache, "+
		"%d loads were remembered, %d loads of those with a variable set were turned away, %d failed in both",
		edits, skipped, skippedOK, served, remembered, turnedAway, failed)
	if skippedOK < edits/10 || served < edits/20 || remembered < edits/8 || remembered > edits*4/5 ||
		turnedAway < edits/20 || failed < edits/20 || failed > edits*9/10 {
		t.Errorf("the corpus lost its point: %d skipped and loaded, %d served, %d remembered, %d turned away, %d failed of %d",
			skippedOK, served, remembered, turnedAway, failed, edits)
	}
	// No value a variable was set to, nor its SHA-256, reached the cache.
	secrets := []string{"-set-", "-dotenv"}
	for _, vs := range differentialValues {
		for _, v := range vs {
			if strings.Contains(v, "-set-") {
				sum := sha256.Sum256([]byte(v))
				secrets = append(secrets, string(sum[:]), hex.EncodeToString(sum[:]))
			}
		}
	}
	noFileHolds(t, cacheHome, secrets...)
}
