package compose

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// ErrNoConfig is what Docker Compose says when no compose file is found;
// commands that need only the project's name go on from its labels.
var ErrNoConfig = errors.New("no configuration file provided: not found")

// configFiles returns the compose files to load, absolute ("-" for stdin):
// the -f files in order, else the first compose file found in dir or the
// nearest parent, followed by its override file.
func configFiles(o Options) ([]string, []Warning, error) {
	if len(o.Files) > 0 {
		files := make([]string, len(o.Files))
		for i, f := range o.Files {
			files[i] = abs(o.WorkingDir, f)
		}
		return files, nil, nil
	}
	return discover(abs(o.WorkingDir, o.ProjectDirectory))
}

func discover(dir string) ([]string, []Warning, error) {
	for {
		found, ws := pick(dir, cli.DefaultFileNames, "config")
		if found != "" {
			files := []string{found}
			if override, ows := pick(dir, cli.DefaultOverrideFileNames, "override"); override != "" {
				files = append(files, override)
				ws = append(ws, ows...)
			}
			return files, ws, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, nil, ErrNoConfig
		}
		dir = parent
	}
}

// pick returns the first of names present in dir, warning when there are
// several, as Docker Compose does.
func pick(dir string, names []string, kind string) (string, []Warning) {
	var found []string
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && !fi.IsDir() {
			found = append(found, filepath.Join(dir, n))
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return found[0], []Warning{{Text: fmt.Sprintf("found multiple %s files with supported names: %s; using %s",
		kind, strings.Join(found, ", "), found[0])}}
}

// abs resolves p against dir; "-" and "" stay as they are.
func abs(dir, p string) string {
	if p == "" {
		p = dir
	}
	if p == "-" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// projectDir is the project's working directory: --project-directory, else
// the directory of the first compose file, else where berth runs.
func projectDir(o Options, files []string) string {
	if o.ProjectDirectory != "" {
		return abs(o.WorkingDir, o.ProjectDirectory)
	}
	for _, f := range files {
		if f != "-" {
			return filepath.Dir(f)
		}
	}
	return o.WorkingDir
}

// readFiles reads every compose file once (stdin from o.Stdin) and keeps the
// bytes in src for locating errors later. compose-go's
// ProjectOptions.LoadProject would read stdin from os.Stdin and resolve paths
// against the process's directory; reading here keeps Load a function of its
// Options, so berth can run in-process in tests. The files' aliases are
// checked only when something fails or compose-go is to load them
// (aliasesFirst): a cached project came from files that passed.
func readFiles(o Options, files []string, src *sources) ([]types.ConfigFile, error) {
	out := make([]types.ConfigFile, len(files))
	readStdin := false
	for i, f := range files {
		var b []byte
		var err error
		switch {
		case f == "-" && readStdin:
			return nil, src.aliasesFirst(errors.New(`compose file "-" given twice: stdin can be read once`))
		case f == "-":
			readStdin = true
			if o.Stdin == nil {
				o.Stdin = strings.NewReader("")
			}
			b, err = io.ReadAll(o.Stdin)
		default:
			b, err = os.ReadFile(f)
		}
		if err != nil {
			return nil, src.aliasesFirst(fmt.Errorf("read compose file %q: %w", src.display(f), err))
		}
		src.add(f, b)
		out[i] = types.ConfigFile{Filename: f, Content: b}
	}
	return out, nil
}
