package docker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"berth/engine"

	"github.com/moby/moby/client"
)

var _ engine.Engine = (*Engine)(nil)

// Exec is the engine's exec API.
func (e *Engine) Exec() engine.Exec { return e }

// Interactive is the engine's terminal attach.
func (e *Engine) Interactive() engine.Interactive { return e }

// Inspection is the engine's process and resource reports.
func (e *Engine) Inspection() engine.Inspection { return e }

// Engine is engine.Engine on a Docker Engine. Build one per run with New:
// it pings the engine once, negotiating the API version, and keeps what it
// learned for every later call.
type Engine struct {
	cli      *client.Client
	endpoint Endpoint
	// apiVersion is the version both sides speak (1.41 on Engine 20.10).
	apiVersion string
	// buildKit: the engine runs BuildKit builds (API 1.39 or later, not
	// Windows, and its ping does not ask for the classic builder).
	buildKit bool
	// networkLocks serializes this process's creates of one network name
	// (name → *sync.Mutex): engines before API 1.44 accept duplicates.
	networkLocks sync.Map
	// networkIDs pins network names to the network this run settled on
	// (name → ID), so containers join it by ID: while another process's
	// duplicate briefly exists, a name alone is ambiguous to the engine.
	networkIDs sync.Map
}

// pingTimeout bounds the one probe at construction, so a dead TCP endpoint
// fails in seconds rather than at the kernel's connect timeout.
const pingTimeout = 15 * time.Second

// New finds the engine from environ (see ResolveEndpoint), connects and
// pings it. When no engine answers, the error is one line naming the
// endpoint and how to choose another.
func New(ctx context.Context, environ []string) (*Engine, error) {
	ep, err := ResolveEndpoint(environ)
	if err != nil {
		return nil, err
	}
	limit, err := answerTimeout(environ)
	if err != nil {
		return nil, err
	}
	opts, err := clientOptions(ep, lookup(environ)("DOCKER_API_VERSION"), limit)
	if err != nil {
		return nil, fmt.Errorf("docker endpoint %s: %w", ep.where(), err)
	}
	cli, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker endpoint %s: %w", ep.where(), err)
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	ping, err := cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		cli.Close()
		return nil, unreachable(ctx, ep, err)
	}
	version := cli.ClientVersion()
	if version == "" {
		version = ping.APIVersion
	}
	return &Engine{cli: cli, endpoint: ep, apiVersion: version, buildKit: buildKitAvailable(version, ping)}, nil
}

// Close releases the client's connections.
func (e *Engine) Close() error { return e.cli.Close() }

// Endpoint is the engine this Engine talks to.
func (e *Engine) Endpoint() Endpoint { return e.endpoint }

// APIVersion is the negotiated API version.
func (e *Engine) APIVersion() string { return e.apiVersion }

// clientOptions turns an endpoint into moby client options. A plain (unix
// or tcp) endpoint's calls are held to limit (deadline.go); a TLS
// endpoint keeps the client's own transport, which the client needs for its
// attach and exec connections, and only the ping's deadline.
func clientOptions(ep Endpoint, apiVersion string, limit time.Duration) ([]client.Opt, error) {
	u, err := url.Parse(ep.Host)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "ssh" {
		return nil, errors.New("ssh endpoints are not supported; forward the engine's socket and use unix:// or tcp://")
	}
	var opts []client.Opt
	if ep.TLSDir != "" {
		cfg, err := tlsConfig(ep)
		if err != nil {
			return nil, err
		}
		opts = append(opts, client.WithHTTPClient(&http.Client{
			Transport:     &http.Transport{TLSClientConfig: cfg},
			CheckRedirect: client.CheckRedirect,
		}))
	}
	opts = append(opts, client.WithHost(ep.Host))
	if ep.TLSDir == "" && (u.Scheme == "unix" || u.Scheme == "tcp") {
		addr := u.Host
		if u.Scheme == "unix" {
			addr = u.Path
		}
		opts = append(opts, client.WithHTTPClient(deadlineClient(u.Scheme, addr, limit)))
	}
	if apiVersion != "" {
		opts = append(opts, client.WithAPIVersion(apiVersion))
	}
	return opts, nil
}

// tlsConfig loads the client certificate and CA the docker CLI would use.
func tlsConfig(ep Endpoint) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: ep.SkipTLSVerify} // #nosec G402 -- the user asked for it (DOCKER_TLS_VERIFY unset / SkipTLSVerify)
	cert, err := tls.LoadX509KeyPair(filepath.Join(ep.TLSDir, "cert.pem"), filepath.Join(ep.TLSDir, "key.pem"))
	if err == nil {
		cfg.Certificates = []tls.Certificate{cert}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("TLS client certificate in %s: %w", ep.TLSDir, err)
	}
	ca, err := os.ReadFile(filepath.Join(ep.TLSDir, "ca.pem"))
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s", filepath.Join(ep.TLSDir, "ca.pem"))
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// unreachable is the one-line error for an engine that does not answer.
// The client reports a failed dial without its cause, so dial once more to
// say why (no such socket, permission denied, connection refused).
func unreachable(ctx context.Context, ep Endpoint, err error) error {
	cause := err
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		cause = fmt.Errorf("it accepted the connection but did not answer GET /_ping within %s", pingTimeout)
	}
	if client.IsErrConnectionFailed(err) {
		if dialErr := dialProbe(ctx, ep.Host); dialErr != nil {
			cause = dialErr
		}
	}
	return fmt.Errorf("cannot reach the Docker Engine at %s: %w (set DOCKER_HOST or choose a context with DOCKER_CONTEXT)", ep.where(), cause)
}

// where names the endpoint and, unless it is the default, who chose it.
func (ep Endpoint) where() string {
	if ep.From == "default" || ep.From == "" {
		return ep.Host
	}
	return ep.Host + " (" + ep.From + ")"
}

// dialProbe opens and closes a connection to host, returning why it failed.
func dialProbe(ctx context.Context, host string) error {
	u, err := url.Parse(host)
	if err != nil {
		return err
	}
	network, addr := u.Scheme, u.Host
	if network == "unix" {
		addr = u.Path
	}
	if network != "unix" && network != "tcp" {
		return nil
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// multiNetwork says whether the engine takes several networks at create
// (API 1.44, Engine 25); older engines take one and connect the rest.
func (e *Engine) multiNetwork() bool {
	return engine.MultiNetworkCreate.Supported(e.apiVersion)
}

// refusesDuplicateNetworks says whether the engine itself refuses a second
// network of the same name (API 1.44); older ones only warn unless asked.
func (e *Engine) refusesDuplicateNetworks() bool {
	return engine.UniqueNetworkNames.Supported(e.apiVersion)
}
