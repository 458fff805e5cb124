package compose

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestRawEnvFile(t *testing.T) {
	loadCase{
		files: map[string]string{
			"compose.yaml": "services:\n  app:\n    image: busybox\n    env_file:\n      - path: app.env\n        format: raw\n",
			"app.env": "\xef\xbb\xbfJSON='{\"key\": \"value\"}'\n  # a comment\n\n" +
				"REF=${HOME}\nHASH=a # not a comment\n  INDENTED=yes\nFROM_SHELL\nNOT_SET\nEMPTY=\n",
		},
		environ: []string{"FROM_SHELL=shell value", "HOME=/home/someone"},
		check: func(t *testing.T, dir string, p *types.Project) {
			env := p.Services["app"].Environment
			for k, want := range map[string]string{
				"JSON": `'{"key": "value"}'`, "REF": "${HOME}", "HASH": "a # not a comment",
				"INDENTED": "yes", "FROM_SHELL": "shell value", "EMPTY": "",
			} {
				if v := env[k]; v == nil || *v != want {
					t.Errorf("%s = %v, want %q", k, v, want)
				}
			}
			if _, ok := env["NOT_SET"]; ok {
				t.Errorf("NOT_SET is in the environment; a name set nowhere is left out")
			}
		},
	}.run(t)
}

func TestRawEnvFileErrors(t *testing.T) {
	for _, c := range []struct{ content, want string }{
		{"GOOD=1\nBAD NAME=2\n", "app.env:2: variable 'BAD NAME' contains whitespaces"},
		{"=value\n", "app.env:1: no variable name"},
		{"A=\xff\n", "app.env:1: env file holds invalid UTF-8"},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"compose.yaml": "services:\n  app:\n    image: busybox\n    env_file:\n      - path: app.env\n        format: raw\n",
			"app.env":      c.content,
		})
		_, _, err := Load(t.Context(), Options{WorkingDir: dir})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one with %q", c.content, err, c.want)
		}
	}
}
