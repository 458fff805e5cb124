package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// berth as a Docker CLI plugin. Installed as docker-compose in a
// cli-plugins directory (~/.docker/cli-plugins), it is found by the docker
// CLI, which first asks it for its metadata with the single argument
// docker-cli-plugin-metadata, and then runs `docker compose ARGS` as
//
//	docker-compose [DOCKER GLOBAL OPTIONS] compose ARGS
//
// Shell completion comes the same way, as
//
//	docker-compose [DOCKER GLOBAL OPTIONS] __complete compose ARGS
//
// The docker options (-H, --context, --config, --tls…) do not reach the
// plugin any other way, so they become the variables the endpoint
// resolution of engine/docker reads.

const (
	pluginMetadataArg = "docker-cli-plugin-metadata"
	pluginName        = "compose"
	// pluginSocketVar names a socket the docker CLI listens on.
	pluginSocketVar = "DOCKER_CLI_PLUGIN_SOCKET"
)

// pluginMetadata is the handshake's answer; the CLI rejects a plugin whose
// SchemaVersion is not exactly 0.1.0 or whose Vendor is empty.
type pluginMetadata struct {
	SchemaVersion    string
	Vendor           string
	Version          string
	ShortDescription string
}

// dockerPlugin handles the plugin side of an invocation. It returns the
// arguments to run with, and an exit code >= 0 when the
// invocation is already answered (the metadata, or bad docker options).
func (a *app) dockerPlugin(args []string) ([]string, int) {
	if len(args) == 1 && args[0] == pluginMetadataArg {
		return nil, a.printPluginMetadata()
	}
	rest, env, isPlugin, err := pluginArgs(args, a.getenv)
	if !isPlugin {
		return args, -1
	}
	if err != nil {
		fmt.Fprintln(a.stderr, err)
		return nil, 1
	}
	a.environ = append(a.environ, env...)
	a.pluginClosed = a.watchPluginSocket()
	return rest, -1
}

func (a *app) printPluginMetadata() int {
	b, _ := json.Marshal(pluginMetadata{ // marshalling four strings cannot fail
		SchemaVersion:    "0.1.0",
		Vendor:           "berth",
		Version:          version,
		ShortDescription: "Docker Compose (berth)",
	})
	fmt.Fprintf(a.stdout, "%s\n", b)
	return 0
}

// dockerGlobals are the docker CLI's global options as it passes them to
// a plugin, before the plugin's name.
type dockerGlobals struct {
	config, context, logLevel, cacert, cert, key string
	hosts                                        []string
	debug, tls, tlsVerify                        bool
}

// pluginArgs recognises `[docker options] compose ARGS` and returns ARGS
// and the environment the options mean. Arguments of any other shape are
// berth's own (isPlugin false).
func pluginArgs(args []string, getenv func(string) string) (rest, env []string, isPlugin bool, err error) {
	var g dockerGlobals
	fs := pflag.NewFlagSet("docker", pflag.ContinueOnError)
	fs.SetInterspersed(false) // stop at the plugin's name
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.config, "config", "", "")
	fs.StringVarP(&g.context, "context", "c", "", "")
	fs.BoolVarP(&g.debug, "debug", "D", false, "")
	fs.StringArrayVarP(&g.hosts, "host", "H", nil, "")
	fs.StringVarP(&g.logLevel, "log-level", "l", "", "")
	fs.BoolVar(&g.tls, "tls", false, "")
	fs.BoolVar(&g.tlsVerify, "tlsverify", false, "")
	fs.StringVar(&g.cacert, "tlscacert", "", "")
	fs.StringVar(&g.cert, "tlscert", "", "")
	fs.StringVar(&g.key, "tlskey", "", "")
	if fs.Parse(args) != nil {
		return nil, nil, false, nil
	}
	switch rest = fs.Args(); {
	case len(rest) > 0 && rest[0] == pluginName:
		rest = rest[1:]
	case len(rest) > 1 && isCompletionRequest(rest[0]) && rest[1] == pluginName:
		// Completion: `docker __complete compose ARGS` runs the plugin
		// with its own arguments, the request first; berth's root
		// answers `__complete ARGS`.
		rest = append([]string{rest[0]}, rest[2:]...)
	default:
		return nil, nil, false, nil
	}
	env, err = g.environ(getenv)
	return rest, env, true, err
}

// isCompletionRequest says whether arg is cobra's hidden completion
// command, which the docker CLI passes on to a plugin as it got it.
func isCompletionRequest(arg string) bool {
	return arg == cobra.ShellCompRequestCmd || arg == cobra.ShellCompNoDescRequestCmd
}

// environ turns the options into the variables the docker CLI itself
// would honour; a later assignment wins over the invocation's own.
func (g *dockerGlobals) environ(getenv func(string) string) ([]string, error) {
	var env []string
	if g.config != "" {
		env = append(env, "DOCKER_CONFIG="+g.config)
	}
	switch {
	case g.context != "" && len(g.hosts) > 0:
		return nil, fmt.Errorf("berth: docker options: either --host or --context, not both")
	case len(g.hosts) > 1:
		return nil, fmt.Errorf("berth: docker options: one --host, not %d", len(g.hosts))
	case len(g.hosts) == 1:
		env = append(env, "DOCKER_HOST="+g.hosts[0])
	case g.context != "":
		// --context beats DOCKER_HOST, as in the docker CLI.
		env = append(env, "DOCKER_HOST=", "DOCKER_CONTEXT="+g.context)
	}
	tlsEnv, err := g.tlsEnviron(getenv)
	return append(env, tlsEnv...), err
}

// tlsEnviron maps the TLS options onto DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH, the only form berth reads certificates in: ca.pem,
// cert.pem and key.pem of one directory.
func (g *dockerGlobals) tlsEnviron(getenv func(string) string) ([]string, error) {
	var env []string
	if g.tlsVerify {
		env = append(env, "DOCKER_TLS_VERIFY=1")
	}
	dir := ""
	for _, f := range []struct{ flag, path, base string }{
		{"tlscacert", g.cacert, "ca.pem"}, {"tlscert", g.cert, "cert.pem"}, {"tlskey", g.key, "key.pem"},
	} {
		if f.path == "" {
			continue
		}
		if filepath.Base(f.path) != f.base || (dir != "" && filepath.Dir(f.path) != dir) {
			return nil, fmt.Errorf("berth: docker option --%s %q: berth reads ca.pem, cert.pem and key.pem from one directory", f.flag, f.path)
		}
		dir = filepath.Dir(f.path)
	}
	if dir == "" && g.tls && !g.tlsVerify && getenv("DOCKER_CERT_PATH") == "" {
		// TLS without verification: a certificate directory switches TLS
		// on; the docker CLI's default one is its configuration directory.
		dir = g.config
		if dir == "" {
			dir = configDirFrom(getenv)
		}
	}
	if dir != "" {
		env = append(env, "DOCKER_CERT_PATH="+dir)
	}
	return env, nil
}

// configDirFrom is the docker CLI's configuration directory.
func configDirFrom(getenv func(string) string) string {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	return filepath.Join(getenv("HOME"), ".docker")
}

// watchPluginSocket connects to the docker CLI's plugin socket, when there
// is one, and returns a channel closed when the CLI closes it (nil without
// a socket). The CLI closes it to pass on an interrupt when it cannot count
// on the terminal to signal berth too (its output is no terminal).
//
// The close cancels; it is not a signal of its own. A Ctrl-C at a terminal
// reaches berth directly as well, and a close raised as a second SIGINT
// would count as the second press: it ended berth by the default handling
// (the docker CLI reports that as exit 255, not 130) and turned attached
// up's graceful stop into a kill. Docker Compose takes the close the same
// way, as a cancel of the command's context.
func (a *app) watchPluginSocket() <-chan struct{} {
	addr := a.getenv(pluginSocketVar)
	if addr == "" {
		return nil
	}
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return nil // an older CLI, or none: signals still arrive directly
	}
	closed := make(chan struct{})
	go func() {
		defer conn.Close()
		// The CLI sends nothing; EOF is the message. The connection lives
		// as long as the process, so the goroutine ends with it.
		if _, err := io.Copy(io.Discard, conn); err == nil {
			close(closed)
		}
	}()
	return closed
}

// cancelOnClose is ctx, cancelled also when closed is (a nil closed
// never is).
func cancelOnClose(ctx context.Context, closed <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if closed != nil {
		go func() {
			select {
			case <-closed:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}
