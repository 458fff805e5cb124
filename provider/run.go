package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The commands a provider answers.
const (
	Up   = "up"
	Down = "down"
	Stop = "stop"
)

// Request is one run of a provider: Command for Service of Project, with
// the provider's settings and the environment it runs in ("K=V").
type Request struct {
	Project string
	Service string
	Command string
	Config  types.ServiceProviderConfig
	Env     []string
}

// Run runs the provider for r and returns the variables it set. Info and
// debug messages go to report as they come. A command the provider's
// metadata does not list (only stop may be missing) is skipped: ran is
// false.
func Run(ctx context.Context, r Request, report func(Message)) (v Vars, ran bool, err error) {
	bin, err := Lookup(r.Config.Type, r.Env)
	if err != nil {
		return Vars{}, false, err
	}
	meta := readMetadata(ctx, bin, r.Env)
	args, ok, err := Args(r, meta)
	if err != nil || !ok {
		return Vars{}, false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // an error message ends the provider too
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = r.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Vars{}, true, err
	}
	if err := cmd.Start(); err != nil {
		return Vars{}, true, fmt.Errorf("run provider %s: %w", bin, err)
	}
	v, perr := Parse(out, report)
	if perr != nil {
		cancel()
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		return Vars{}, true, perr
	}
	if err := cmd.Wait(); err != nil {
		return Vars{}, true, fmt.Errorf("failed to %s service provider: %w%s", verb(r.Command), err, tail(stderr.String()))
	}
	return v, true, nil
}

// verb is Docker Compose's word for a command in its failure message.
func verb(command string) string {
	switch command {
	case Up:
		return "create"
	case Down:
		return "remove"
	}
	return command
}

// tail is the end of the provider's stderr, for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > 500 {
		s = "…" + s[len(s)-500:]
	}
	return ": " + s
}

// Args is the command line of r: `compose --project-name=P COMMAND
// [--OPTION=VALUE…] SERVICE`, options sorted. A provider that publishes
// metadata gets only the options the command declares, and must be given
// its required ones; ok is false when it declares no such command (stop).
func Args(r Request, meta Metadata) (args []string, ok bool, err error) {
	cmd, known := meta.command(r.Command)
	if !known {
		return nil, false, nil
	}
	filter := !meta.empty()
	if filter {
		for _, p := range cmd.Parameters {
			if _, set := r.Config.Options[p.Name]; p.Required && !set {
				return nil, false, fmt.Errorf("required parameter %q is missing from provider %q definition", p.Name, r.Config.Type)
			}
		}
	}
	args = []string{"compose", "--project-name=" + r.Project, r.Command}
	for _, name := range slices.Sorted(maps.Keys(r.Config.Options)) {
		if filter && !cmd.has(name) {
			continue
		}
		for _, val := range r.Config.Options[name] {
			args = append(args, fmt.Sprintf("--%s=%s", name, val))
		}
	}
	return append(args, r.Service), true, nil
}

// Metadata is what a provider says of itself on `compose metadata`.
type Metadata struct {
	Description string   `json:"description"`
	Up          Command  `json:"up"`
	Down        Command  `json:"down"`
	Stop        *Command `json:"stop,omitempty"`
}

// Command lists the parameters one command takes.
type Command struct {
	Parameters []Parameter `json:"parameters"`
}

// Parameter is one option of a command.
type Parameter struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

func (m Metadata) empty() bool {
	return m.Description == "" && m.Up.Parameters == nil && m.Down.Parameters == nil
}

// command is the metadata of one command; a stop the metadata does not
// declare is not run.
func (m Metadata) command(name string) (Command, bool) {
	switch name {
	case Up:
		return m.Up, true
	case Down:
		return m.Down, true
	case Stop:
		if m.Stop == nil {
			return Command{}, false
		}
		return *m.Stop, true
	}
	return Command{}, false
}

func (c Command) has(name string) bool {
	return slices.ContainsFunc(c.Parameters, func(p Parameter) bool { return p.Name == name })
}

// readMetadata asks the provider for its metadata; a provider that has
// none (it fails, or prints something else) gets every option.
func readMetadata(ctx context.Context, bin string, env []string) Metadata {
	cmd := exec.CommandContext(ctx, bin, "compose", "metadata")
	cmd.Env = env
	out, err := cmd.Output()
	var m Metadata
	if err != nil || json.Unmarshal(out, &m) != nil {
		return Metadata{}
	}
	return m
}

// Lookup finds the provider binary for type typ: a docker CLI plugin
// docker-TYPE first (in the directories the docker CLI searches), else TYPE
// on PATH. env is the environment berth runs in.
func Lookup(typ string, env []string) (string, error) {
	if typ == "" {
		return "", errors.New("provider has no type")
	}
	if typ == "compose" {
		return "", errors.New("'compose' is not a valid provider type")
	}
	for _, dir := range pluginDirs(env) {
		p := filepath.Join(dir, "docker-"+typ)
		if isExecutable(p) {
			return p, nil
		}
	}
	for _, dir := range filepath.SplitList(getenv(env, "PATH")) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, typ)
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("provider %q: no docker-%s CLI plugin and no %q executable in PATH", typ, typ, typ)
}

// pluginDirs are where the docker CLI finds its plugins: the config
// directory's cli-plugins, then the system directories.
func pluginDirs(env []string) []string {
	cfg := getenv(env, "DOCKER_CONFIG")
	if cfg == "" {
		if home := getenv(env, "HOME"); home != "" {
			cfg = filepath.Join(home, ".docker")
		}
	}
	var dirs []string
	if cfg != "" {
		dirs = append(dirs, filepath.Join(cfg, "cli-plugins"))
	}
	return append(dirs, "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
		"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// getenv is the last value of key in env.
func getenv(env []string, key string) string {
	val := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val = v
		}
	}
	return val
}
