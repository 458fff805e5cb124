package imagebuild

import (
	"encoding/json"
	"regexp"
	"strings"
)

// runHeredoc is a RUN whose whole command is one here-document:
// "RUN [--flags] <<EOF", "<<-EOF", "<<'EOF'" or `<<"EOF"`.
var runHeredoc = regexp.MustCompile(`^(\s*RUN\s+(?:--\S+\s+)*)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)\s*$`)

// rewriteRunHeredocs turns each RUN whose command is a here-document into
// the exec form of the same script, `RUN ["/bin/sh", "-c", "<script>"]`,
// which BuildKit runs the same way. The Dockerfile front-ends that engines
// before 23.0 carry (and the classic builder) do not read here-documents;
// this form every builder reads. The script's lines become empty lines, so
// every later instruction keeps its line number for error messages.
//
// It leaves the Dockerfile alone (ok false) when it names a front-end ("#
// syntax="), which reads here-documents itself, when it sets a SHELL, and
// for the forms a plain script does not express: a script with "#!", or a
// here-document fed to a command ("RUN python3 <<EOF").
func rewriteRunHeredocs(src []byte) ([]byte, bool) {
	d := parseDockerfile(src)
	if d.Syntax != "" {
		return nil, false
	}
	for _, st := range d.Stages {
		for _, in := range st.Instructions {
			if f := strings.Fields(in.Text); len(f) > 0 && strings.EqualFold(f[0], "SHELL") {
				return nil, false
			}
		}
	}
	lines := strings.SplitAfter(string(src), "\n")
	changed := false
	for i := 0; i < len(lines); i++ {
		m := runHeredoc.FindStringSubmatch(strings.TrimRight(lines[i], "\r\n"))
		if m == nil || m[3] != m[5] {
			continue
		}
		stripTabs, delim := m[2] == "-", m[4]
		end := -1
		var script strings.Builder
		for j := i + 1; j < len(lines); j++ {
			l := strings.TrimRight(lines[j], "\r\n")
			if stripTabs {
				l = strings.TrimLeft(l, "\t")
			}
			if l == delim {
				end = j
				break
			}
			script.WriteString(l + "\n")
		}
		if end < 0 || strings.HasPrefix(script.String(), "#!") {
			continue
		}
		cmd, err := json.Marshal([]string{"/bin/sh", "-c", script.String()})
		if err != nil {
			continue
		}
		lines[i] = m[1] + string(cmd) + "\n"
		for j := i + 1; j <= end; j++ {
			lines[j] = "\n"
		}
		i, changed = end, true
	}
	if !changed {
		return nil, false
	}
	return []byte(strings.Join(lines, "")), true
}
