package imagebuild

import "testing"

func TestRewriteRunHeredocs(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"quoted", "FROM x\nRUN <<'EOF'\necho $(seq 3)\necho \"done\"\nEOF\nRUN true\n",
			"FROM x\nRUN [\"/bin/sh\",\"-c\",\"echo $(seq 3)\\necho \\\"done\\\"\\n\"]\n\n\n\nRUN true\n"},
		{"flags and tabs", "FROM x\nRUN --mount=type=cache,target=/c <<-END\n\tls /c\n\tEND\n",
			"FROM x\nRUN --mount=type=cache,target=/c [\"/bin/sh\",\"-c\",\"ls /c\\n\"]\n\n\n"},
		{"syntax directive", "# syntax=docker/dockerfile:1\nFROM x\nRUN <<EOF\ntrue\nEOF\n", ""},
		{"fed to a command", "FROM x\nRUN python3 <<EOF\nprint(1)\nEOF\n", ""},
		{"shebang", "FROM x\nRUN <<EOF\n#!/bin/bash\ntrue\nEOF\n", ""},
		{"a SHELL", "FROM x\nSHELL [\"/bin/bash\", \"-c\"]\nRUN <<EOF\ntrue\nEOF\n", ""},
		{"unterminated", "FROM x\nRUN <<EOF\ntrue\n", ""},
		{"none", "FROM x\nRUN echo <<not a heredoc\n", ""},
	} {
		got, ok := rewriteRunHeredocs([]byte(c.in))
		if string(got) != c.want || ok != (c.want != "") {
			t.Errorf("%s: got %v %q, want %q", c.name, ok, got, c.want)
		}
	}
}
