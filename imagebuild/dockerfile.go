package imagebuild

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// instruction is one Dockerfile instruction and where it starts.
type instruction struct {
	Line int    // 1-based line of its first line
	Text string // the instruction with its continuation lines joined
}

// stage is one FROM and the instructions that follow it (FROM included).
type stage struct {
	Name         string // the AS name, lower case; "" when unnamed
	Instructions []instruction
	// FromStage: the FROM names an earlier stage, so BuildKit does not
	// count it as a step of this one.
	FromStage bool
}

// dockerfile is the parsed outline of a Dockerfile: enough to name the
// line of a failing step and to read its parser directives.
type dockerfile struct {
	Syntax string // the "# syntax=" directive, "" when absent
	Stages []stage
}

// parseDockerfile reads the outline of a Dockerfile: parser directives,
// then instructions grouped by stage. It never fails: what it cannot read
// the engine reports.
func parseDockerfile(src []byte) dockerfile {
	var d dockerfile
	escape := byte('\\')
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	directives := true
	var cur *instruction
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		if directives {
			if k, v, ok := directive(trimmed); ok {
				switch k {
				case "syntax":
					d.Syntax = v
				case "escape":
					if v == "`" {
						escape = '`'
					}
				}
				continue
			}
			directives = false
		}
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == nil) {
			continue
		}
		if cur == nil {
			cur = &instruction{Line: n}
		}
		body, more := strings.CutSuffix(trimmed, string(escape))
		cur.Text = strings.TrimSpace(cur.Text + " " + body)
		if !more {
			d.add(*cur)
			cur = nil
		}
	}
	if cur != nil {
		d.add(*cur)
	}
	return d
}

var directiveRE = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

func directive(line string) (key, value string, ok bool) {
	m := directiveRE.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	return strings.ToLower(m[1]), m[2], true
}

// add puts an instruction in its stage; a FROM opens a new one.
func (d *dockerfile) add(in instruction) {
	fields := strings.Fields(in.Text)
	if len(fields) > 0 && strings.EqualFold(fields[0], "FROM") {
		st := stage{FromStage: d.isStage(baseOf(fields))}
		if len(fields) >= 4 && strings.EqualFold(fields[len(fields)-2], "AS") {
			st.Name = strings.ToLower(fields[len(fields)-1])
		}
		d.Stages = append(d.Stages, st)
	}
	if len(d.Stages) == 0 { // ARG before the first FROM
		return
	}
	last := &d.Stages[len(d.Stages)-1]
	last.Instructions = append(last.Instructions, in)
}

// baseOf is the image or stage a FROM names, after its --flags.
func baseOf(from []string) string {
	for _, f := range from[1:] {
		if !strings.HasPrefix(f, "--") {
			return strings.ToLower(f)
		}
	}
	return ""
}

func (d *dockerfile) isStage(name string) bool {
	for _, st := range d.Stages {
		if st.Name != "" && st.Name == name {
			return true
		}
	}
	return false
}

// stepRE reads the step prefix BuildKit puts on a vertex name:
// "[stage-0 2/4] RUN …", "[build 3/5] COPY …" or "[2/4] RUN …".
var stepRE = regexp.MustCompile(`^\[(?:(\S+) )?(\d+)/(\d+)\] `)

// lineOf finds the Dockerfile line of a BuildKit step by its stage and
// its number within the stage; 0 when the name is not a Dockerfile step.
func (d dockerfile) lineOf(vertexName string) int {
	m := stepRE.FindStringSubmatch(vertexName)
	if m == nil {
		return 0
	}
	k, _ := strconv.Atoi(m[2])
	st := d.stageNamed(m[1])
	if st == nil {
		return 0
	}
	if st.FromStage {
		k++
	}
	if k < 1 || k > len(st.Instructions) {
		return 0
	}
	return st.Instructions[k-1].Line
}

// stageNamed is the stage a step prefix names: its AS name, "stage-N"
// for the Nth (0-based) stage, or the last stage when the name is absent.
func (d dockerfile) stageNamed(name string) *stage {
	if len(d.Stages) == 0 {
		return nil
	}
	if name == "" {
		return &d.Stages[len(d.Stages)-1]
	}
	for i := range d.Stages {
		if d.Stages[i].Name == strings.ToLower(name) {
			return &d.Stages[i]
		}
	}
	if n, ok := strings.CutPrefix(name, "stage-"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < len(d.Stages) {
			return &d.Stages[i]
		}
	}
	return nil
}

// parseErrorRE finds the line in a Dockerfile parse error of either builder.
var parseErrorRE = regexp.MustCompile(`(?:dockerfile )?parse error (?:on )?line (\d+): (.*)$`)

// locateParseError rewrites an engine's Dockerfile parse error as
// "file:line: message"; ok is false for other errors.
func locateParseError(file, msg string, shift lineShift) (string, bool) {
	m := parseErrorRE.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	line, _ := strconv.Atoi(m[1])
	return fmt.Sprintf("%s:%d: %s", file, shift.original(line), m[2]), true
}
