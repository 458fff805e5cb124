// Package testengine runs private Docker Engines for berth's tests: the
// pinned modern engine (issue 19: berth tested on the current Docker
// Engine beside the machine's 20.10) and any other dockerd a test wants to
// crash and restart without touching the machine's shared engine (issue 16).
//
// # Binaries
//
// Binaries returns dockerd and docker-proxy (moby MobyVersion, API 1.56)
// and runc (RuncVersion, with seccomp) from
// ${XDG_CACHE_HOME:-~/.cache}/berth-testengine/{moby-<v>,runc-<v>}/, keyed
// by version and checked against the Go build information in each binary.
// Missing ones are built once per machine with `go install` (niced, cgo on;
// runc needs libseccomp-dev); binaries of the right build in the older flat
// bin/ directory are hard-linked in instead. provision.sh (or
// `go run ./internal/testengine/cmd/testengine provision`) does the same for
// make and CI.
//
// # Engines
//
// Launch starts dockerd under `nsenter --net=/run/netns/berth-<random>`:
//   - its own network namespace, loopback up and nothing else: it needs no
//     outside connectivity, and its docker0, iptables/nftables rules and
//     published ports stay inside (ports are reachable only from inside the
//     namespace, nsenter --net=NetNSPath(), or from a container);
//   - its own data root, exec root, pidfile, unix socket, config file (not
//     /etc/docker/daemon.json, which names the shared engine's data root)
//     and cgroup parent, all under Root()/berth-<random>;
//   - its own managed containerd (dockerd starts it, inside the namespace,
//     with its state under the exec and data roots) and containerd
//     namespaces; the shared engine's containerd is dockerd-managed too
//     (/var/run/docker/containerd), not a system containerd to share;
//   - for the modern engine, the new runc as default runtime (daemon.json
//     "runtimes"/"default-runtime") and the new docker-proxy
//     (--userland-proxy-path): Debian's runc 1.1.5 and docker-proxy fail
//     with it.
//
// Launch waits for /_ping with a deadline (failing early, with the daemon's
// log, if dockerd exits), then streams Options.Images from the machine's
// engine (image save) into the new one (image load) through the API.
// Stop removes the containers, stops the daemon (SIGTERM, then SIGKILL),
// kills what is left in the namespace and cgroups, unmounts everything
// under the engine's directory, removes it, its cgroups and its namespace.
// Crash and Restart serve fault tests. An engine whose test process died
// without cleanup (a test timeout) is reaped by the next Launch.
//
// # Tests
//
// Tests on the modern engine are opt-in: BERTH_MODERN=1 (Gate) turns them
// on, and then they fail rather than skip when the engine cannot start.
// Start(ctx, t) gives a test the modern engine with berth's offline images;
// StartWith takes any Options.
package testengine
