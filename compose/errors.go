package compose

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"gopkg.in/yaml.v3"
)

// Error is a problem in the compose files, located where the user wrote it:
// "compose.yaml:9:5: services.db: unknown key "imgae" (did you mean "image"?)".
type Error struct {
	File   string // as shown to the user; relative to the working directory when below it
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Path   string // the key path, e.g. services.db; may be empty
	Msg    string
	Err    error // what compose-go returned
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(position(e.File, e.Line, e.Column))
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// position renders "file:line:col: ", leaving out what is unknown.
func position(file string, line, col int) string {
	switch {
	case file == "":
		return ""
	case line == 0:
		return file + ": "
	case col == 0:
		return file + ":" + strconv.Itoa(line) + ": "
	}
	return file + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": "
}

// at builds an Error pointing at node n of file.
func (s *sources) at(file string, n *yaml.Node, path []string, msg string, err error) *Error {
	e := &Error{File: s.display(file), Path: strings.Join(path, "."), Msg: msg, Err: err}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// explain turns an error from compose-go into one a person can act on,
// located in the files when the error names a key path. Errors it does not
// recognise are returned unchanged.
func (s *sources) explain(err error) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range joined.Unwrap() {
			errs = append(errs, s.explain(e))
		}
		return errors.Join(errs...)
	}
	for _, try := range []func(error) error{
		s.explainMissingVariable, s.explainTemplate, s.explainSyntax,
		s.explainSchema, s.explainUndefinedDependency, s.explainCycle,
		s.explainService,
	} {
		if e := try(err); e != nil {
			return e
		}
	}
	return err
}

var interpolatingRE = regexp.MustCompile(`^(?:error while interpolating )?([^\s:]+): `)

// explainMissingVariable handles ${VAR:?msg} and ${VAR?msg} with VAR unset.
func (s *sources) explainMissingVariable(err error) error {
	var missing *template.MissingRequiredError
	if !errors.As(err, &missing) {
		var v template.MissingRequiredError
		if !errors.As(err, &v) {
			return nil
		}
		missing = &v
	}
	m := interpolatingRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	path := strings.Split(m[1], ".")
	file, at, val := s.find("", path, mentions(missing.Variable))
	if val != nil && val.Kind == yaml.ScalarNode {
		at = val // where the variable is used
	}
	return s.at(file, at, path, missing.Error(), err)
}

var invalidTemplateRE = regexp.MustCompile(`invalid interpolation format for ([^\s]+?)\.?\n`)

// explainTemplate handles a malformed ${...}.
func (s *sources) explainTemplate(err error) error {
	var bad *template.InvalidTemplateError
	if !errors.As(err, &bad) {
		var v template.InvalidTemplateError
		if !errors.As(err, &v) {
			return nil
		}
		bad = &v
	}
	m := invalidTemplateRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	path := strings.Split(m[1], ".")
	file, at, _ := s.find("", path, nil)
	msg := fmt.Sprintf("invalid interpolation format %q (write a literal $ as $$)", bad.Template)
	return s.at(file, at, path, msg, err)
}

// mentions accepts a scalar that uses the variable name.
func mentions(variable string) func(*yaml.Node) bool {
	return func(n *yaml.Node) bool {
		return n != nil && n.Kind == yaml.ScalarNode && strings.Contains(n.Value, variable)
	}
}

var (
	parseFailureRE = regexp.MustCompile(`^failed to parse (.+?): yaml: ((?s).*)$`)
	yamlMarkRE     = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: `)
	contextMarkRE  = regexp.MustCompile(` at line \d+(?:, column \d+)?`)
)

// explainSyntax handles YAML that does not parse: the position comes from
// the parser's message, the last "line N, column M: " in it.
func (s *sources) explainSyntax(err error) error {
	m := parseFailureRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	file, text := m[1], m[2]
	e := &Error{File: s.display(file), Msg: "yaml: " + text, Err: err}
	marks := yamlMarkRE.FindAllStringSubmatchIndex(text, -1)
	if len(marks) == 0 {
		return e
	}
	last := marks[len(marks)-1]
	e.Line, _ = strconv.Atoi(text[last[2]:last[3]])
	// The parser omits column 0, which is the first column.
	e.Column = 1
	if last[4] >= 0 {
		e.Column, _ = strconv.Atoi(text[last[4]:last[5]])
	}
	e.Msg = "yaml: " + text[last[1]:]
	context := strings.TrimSuffix(strings.TrimSpace(text[:last[0]]), ":")
	if strings.HasPrefix(context, "while parsing") {
		// The parser (unlike the scanner) counts lines from 0 in this
		// version of compose-go's YAML library.
		e.Line++
	}
	// The context's own position is left out: it is counted differently.
	context = strings.TrimSuffix(contextMarkRE.ReplaceAllString(context, ""), " at")
	if context != "" && !strings.HasPrefix(context, "construct errors") {
		e.Msg += " (" + context + ")"
	}
	if last[4] < 0 {
		e.Column = s.firstColumn(file, e.Line)
	}
	return e
}

// firstColumn is the column of the first node on line, or 1: a message that
// names only the line then points at the key on it.
func (s *sources) firstColumn(file string, line int) int {
	col := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Line == line && n.Kind != yaml.DocumentNode && (col == 0 || n.Column < col) {
			col = n.Column
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, doc := range s.documents(file) {
		walk(doc)
	}
	return max(col, 1)
}

var undefinedDepRE = regexp.MustCompile(`^service "(.+)" depends on undefined service "(.+)": `)

// explainUndefinedDependency points at the depends_on entry naming a
// service that does not exist.
func (s *sources) explainUndefinedDependency(err error) error {
	m := undefinedDepRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	service, dep := m[1], m[2]
	path := []string{"services", service, "depends_on"}
	file, at, val := s.find("", path, nil)
	if n := scalarIn(val, dep); n != nil {
		at = n
	}
	msg := fmt.Sprintf("service %q depends on undefined service %q%s", service, dep, didYouMean(dep, s.services()))
	return s.at(file, at, nil, msg, err)
}

// scalarIn finds the item or key equal to value in a sequence or mapping.
func scalarIn(n *yaml.Node, value string) *yaml.Node {
	if n == nil {
		return nil
	}
	step := 1
	if n.Kind == yaml.MappingNode {
		step = 2
	}
	for i := 0; i < len(n.Content); i += step {
		if c := n.Content[i]; c.Kind == yaml.ScalarNode && c.Value == value {
			return c
		}
	}
	return nil
}

// services are the service names defined in the files read, for suggestions.
func (s *sources) services() []string {
	names := map[string]bool{}
	for _, f := range s.order {
		for _, doc := range s.documents(f) {
			root := documentRoot(doc)
			if _, v := lookup(root, root, []string{"services"}, func(*yaml.Node) bool { return true }, 0); v != nil && v.Kind == yaml.MappingNode {
				for i := 0; i < len(v.Content); i += 2 {
					names[v.Content[i].Value] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(names))
}

var cycleRE = regexp.MustCompile(`^dependency cycle detected: ([^\s]+) -> `)

// explainCycle points at the depends_on of the first service in the cycle.
func (s *sources) explainCycle(err error) error {
	m := cycleRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	file, at, _ := s.find("", []string{"services", m[1], "depends_on"}, nil)
	return s.at(file, at, nil, err.Error(), err)
}

var serviceRE = regexp.MustCompile(`^service "([^"]+)" (.*?)(: invalid compose project)?$`)

// explainService points at the service any other service error names.
func (s *sources) explainService(err error) error {
	m := serviceRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	path := []string{"services", m[1]}
	file, at, _ := s.find("", path, nil)
	if at == nil {
		return nil
	}
	return s.at(file, at, nil, "service "+strconv.Quote(m[1])+" "+m[2], err)
}
