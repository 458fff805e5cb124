package testengine

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/client"
)

// Options say which daemon to run and what to put in it.
type Options struct {
	// Dockerd is the daemon binary (required).
	Dockerd string
	// DockerProxy is the userland proxy; empty: the daemon's default
	// (docker-proxy on the PATH).
	DockerProxy string
	// Runc becomes the daemon's default runtime ("berth-runc" in its
	// daemon.json); empty: the daemon's default runc.
	Runc string
	// Containerd is the socket of a containerd to use, with the engine's
	// own containerd namespaces; empty (the default): dockerd starts a
	// managed containerd of its own, inside the engine's network namespace,
	// with its state under the engine's directories.
	Containerd string
	// Images are copied from ImageSource into the engine once it answers.
	Images []string
	// ImageSource is the engine the images come from: DOCKER_HOST (and
	// the rest of the docker client's environment) when empty.
	ImageSource string
	// Config holds more daemon.json settings (for example
	// "default-address-pools"); the engine's own keys win.
	Config map[string]any
	// StartTimeout bounds the wait for the daemon's /_ping (default 90s).
	StartTimeout time.Duration
	// Log receives progress lines (timings); nil: none.
	Log io.Writer
}

// Modern returns Options for the pinned modern engine, building its
// binaries when missing (see Binaries).
func Modern(ctx context.Context) (Options, error) {
	b, err := Binaries(ctx)
	if err != nil {
		return Options{}, err
	}
	return Options{Dockerd: b.Dockerd, DockerProxy: b.DockerProxy, Runc: b.Runc}, nil
}

// Engine is a private Docker Engine: its own network namespace, data
// root, exec root, pidfile, unix socket and cgroup parent, all named after
// Name. Nothing of it is shared with the machine's engine.
type Engine struct {
	// Name is "berth-<random>": the network namespace, the containerd
	// namespaces and the cgroup parent.
	Name string
	// Dir holds everything on disk: data/, exec/, daemon.json, docker.sock,
	// docker.pid, dockerd.log.
	Dir string
	// Host is the DOCKER_HOST that reaches it: unix://<Dir>/docker.sock.
	Host string

	opts    Options
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the current dockerd has exited
	waitErr error
}

// Root is where engines keep their directories: <tmp>/berth-testengine.
// Launch reaps the engines in it whose owner process is gone (a test
// binary killed by its timeout runs no cleanup).
func Root() string { return filepath.Join(os.TempDir(), "berth-testengine") }

// NetNSPath is the engine's network namespace, for nsenter --net=.
func (e *Engine) NetNSPath() string { return filepath.Join("/run/netns", e.Name) }

// Socket is the path of the engine's unix socket.
func (e *Engine) Socket() string { return filepath.Join(e.Dir, "docker.sock") }

// LogPath is the daemon's log file (stdout and stderr, across restarts).
func (e *Engine) LogPath() string { return filepath.Join(e.Dir, "dockerd.log") }

// Environ is environ with DOCKER_HOST pointing at the engine, and no
// DOCKER_CONTEXT or TLS settings that would take the client elsewhere.
func (e *Engine) Environ(environ []string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "DOCKER_HOST="+e.Host)
}

// Launch starts a private engine and waits until it answers /_ping, then
// loads opts.Images. On any failure it tears down what it made. The
// caller must Stop it. It needs root.
func Launch(ctx context.Context, opts Options) (*Engine, error) {
	if os.Geteuid() != 0 {
		return nil, errNotRoot
	}
	if opts.Dockerd == "" {
		return nil, errors.New("testengine: Options.Dockerd is empty")
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 90 * time.Second
	}
	if err := os.MkdirAll(Root(), 0o700); err != nil {
		return nil, fmt.Errorf("testengine: %w", err)
	}
	reapOrphans(opts.Log)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	e := &Engine{Name: "berth-" + hex.EncodeToString(rnd[:]), opts: opts}
	e.Dir = filepath.Join(Root(), e.Name)
	e.Host = "unix://" + e.Socket()
	if err := e.prepare(); err != nil {
		_ = e.teardown()
		return nil, err
	}
	begin := time.Now()
	if err := e.startDaemon(ctx); err != nil {
		_ = e.Stop(context.Background())
		return nil, err
	}
	e.logf("engine %s (%s) answers after %s", e.Name, e.Host, time.Since(begin).Round(time.Millisecond))
	if len(opts.Images) > 0 {
		begin = time.Now()
		if err := e.LoadImages(ctx, opts.ImageSource, opts.Images...); err != nil {
			_ = e.Stop(context.Background())
			return nil, err
		}
		e.logf("loaded %s in %s", strings.Join(opts.Images, ", "), time.Since(begin).Round(time.Millisecond))
	}
	return e, nil
}

func (e *Engine) logf(format string, args ...any) {
	if e.opts.Log != nil {
		fmt.Fprintf(e.opts.Log, "testengine: "+format+"\n", args...)
	}
}

// prepare makes the directories, the owner file, daemon.json and the
// network namespace (loopback up, no other interface: the engine needs no
// outside connectivity, and its bridge stays inside).
func (e *Engine) prepare() error {
	for _, d := range []string{e.Dir, filepath.Join(e.Dir, "data"), filepath.Join(e.Dir, "exec")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("testengine: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.Dir, "owner"), []byte(ownerStamp(os.Getpid())), 0o600); err != nil {
		return fmt.Errorf("testengine: %w", err)
	}
	// Its own config file: /etc/docker/daemon.json sets the shared engine's
	// data-root, which must never be this engine's.
	cfg := map[string]any{}
	for k, v := range e.opts.Config {
		cfg[k] = v
	}
	cfg["cgroup-parent"] = "/" + e.Name
	if e.opts.Runc != "" {
		cfg["runtimes"] = map[string]any{"berth-runc": map[string]string{"path": e.opts.Runc}}
		cfg["default-runtime"] = "berth-runc"
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(filepath.Join(e.Dir, "daemon.json"), b, 0o600); err != nil {
		return fmt.Errorf("testengine: %w", err)
	}
	if out, err := exec.Command("ip", "netns", "add", e.Name).CombinedOutput(); err != nil {
		return fmt.Errorf("testengine: ip netns add %s: %v: %s", e.Name, err, bytes.TrimSpace(out))
	}
	if out, err := exec.Command("ip", "-n", e.Name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("testengine: loopback up in %s: %v: %s", e.Name, err, bytes.TrimSpace(out))
	}
	return nil
}

// startDaemon runs dockerd in the namespace and waits for /_ping, or for
// the daemon's exit, or for the deadline: whichever comes first.
func (e *Engine) startDaemon(ctx context.Context) error {
	// Stale pid files make a restarted dockerd wait for a process that is
	// gone (or a zombie that looks alive).
	_ = os.Remove(filepath.Join(e.Dir, "docker.pid"))
	_ = os.Remove(filepath.Join(e.Dir, "exec", "containerd", "containerd.pid"))
	args := []string{
		"--net=" + e.NetNSPath(), "--", e.opts.Dockerd,
		"--config-file", filepath.Join(e.Dir, "daemon.json"),
		"--data-root", filepath.Join(e.Dir, "data"),
		"--exec-root", filepath.Join(e.Dir, "exec"),
		"--pidfile", filepath.Join(e.Dir, "docker.pid"),
		"-H", e.Host,
		"--containerd-namespace", e.Name,
		"--containerd-plugins-namespace", e.Name + "-plugins",
	}
	if e.opts.DockerProxy != "" {
		args = append(args, "--userland-proxy-path", e.opts.DockerProxy)
	}
	if e.opts.Containerd != "" {
		args = append(args, "--containerd", e.opts.Containerd)
	}
	logf, err := os.OpenFile(e.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("testengine: %w", err)
	}
	defer logf.Close()
	// nsenter, not `ip netns exec`: the latter remounts /sys, which hides
	// the cgroups, and dockerd refuses to start.
	cmd := exec.Command("nsenter", args...)
	cmd.Env = daemonEnv(os.Environ())
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Dir = e.Dir
	// Its own process group: a terminal's Ctrl-C reaches the test, which
	// tears the engine down in order, not the daemon directly. Should the
	// test process die, the daemon gets SIGTERM and shuts down; the next
	// Launch reaps what is left.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testengine: start dockerd: %w", err)
	}
	e.cmd = cmd
	e.exited = make(chan struct{})
	go func(exited chan struct{}) {
		e.waitErr = cmd.Wait()
		close(exited)
	}(e.exited)

	cli, err := client.New(client.WithHost(e.Host))
	if err != nil {
		return err
	}
	defer cli.Close()
	deadline := time.NewTimer(e.opts.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(e.Socket()); err == nil {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := cli.Ping(pctx, client.PingOptions{})
			cancel()
			if err == nil {
				return nil
			}
		}
		select {
		case <-e.exited:
			return fmt.Errorf("testengine: dockerd exited before answering (%v); its log:\n%s", e.waitErr, e.logTail(3000))
		case <-deadline.C:
			return fmt.Errorf("testengine: dockerd did not answer on %s within %s; its log:\n%s", e.Host, e.opts.StartTimeout, e.logTail(3000))
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// daemonEnv is the test's environment without what would point the
// daemon (or the docker-proxy it starts) at another engine.
func daemonEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if strings.HasPrefix(kv, "DOCKER_") || strings.HasPrefix(kv, "CONTAINERD_") || strings.HasPrefix(kv, "NOTIFY_SOCKET=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (e *Engine) logTail(n int) string {
	b, _ := os.ReadFile(e.LogPath())
	return string(tail(b, n))
}

// running reports whether this process's dockerd still runs.
func (e *Engine) running() bool {
	if e.exited == nil {
		return false
	}
	select {
	case <-e.exited:
		return false
	default:
		return true
	}
}

// Crash kills the daemon and its managed containerd with SIGKILL, as a
// crash would: container shims and containers stay. Restart brings the
// daemon back on the same state.
func (e *Engine) Crash() error {
	if !e.running() {
		return errors.New("testengine: the engine is not running")
	}
	if pid, err := readPid(filepath.Join(e.Dir, "exec", "containerd", "containerd.pid")); err == nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = e.cmd.Process.Kill()
	<-e.exited
	return nil
}

// Restart starts the daemon again on the same directories and namespace,
// after Crash or StopDaemon, and waits for /_ping.
func (e *Engine) Restart(ctx context.Context) error {
	if e.running() {
		return errors.New("testengine: the engine is still running")
	}
	return e.startDaemon(ctx)
}

// StopDaemon stops the daemon gracefully (SIGTERM, then SIGKILL after
// grace), leaving its state for Restart.
func (e *Engine) StopDaemon(grace time.Duration) error {
	if !e.running() {
		return nil
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-e.exited:
		return nil
	case <-t.C:
	}
	_ = e.cmd.Process.Kill()
	<-e.exited
	return fmt.Errorf("testengine: dockerd did not stop within %s of SIGTERM; killed", grace)
}

// Stop tears the engine down completely: its containers removed, the
// daemon stopped (SIGTERM, then SIGKILL), every process left in its
// network namespace or cgroups killed, mounts under its directory
// unmounted, the directory removed, the cgroups and namespace deleted.
// It goes on past errors and returns them all.
func (e *Engine) Stop(ctx context.Context) error {
	var errs []error
	if e.running() {
		// Removing the containers first spares the daemon's shutdown the
		// wait for each one's stop timeout.
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := removeAllContainers(rctx, e.Host); err != nil {
			errs = append(errs, err)
		}
		cancel()
		if err := e.StopDaemon(30 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if err := e.teardown(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// teardown removes everything named after the engine; it needs no running
// daemon and no Engine state but Name and Dir, so it also reaps orphans.
func (e *Engine) teardown() error {
	var errs []error
	// Pids the daemon left: its containerd and shims (in the namespace),
	// container processes (in the cgroups).
	ns := e.NetNSPath()
	if pid, err := readPid(filepath.Join(e.Dir, "docker.pid")); err == nil && inNetNS(pid, ns) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	pids := append(netnsPids(ns), cgroupPids(e.Name)...)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if err := awaitGone(pids, 10*time.Second); err != nil {
		errs = append(errs, err)
	}
	if err := unmountUnder(e.Dir); err != nil {
		errs = append(errs, err)
	}
	if err := os.RemoveAll(e.Dir); err != nil {
		errs = append(errs, fmt.Errorf("testengine: %w", err))
	}
	if err := removeCgroups(e.Name); err != nil {
		errs = append(errs, err)
	}
	if _, err := os.Stat(ns); err == nil {
		if out, err := exec.Command("ip", "netns", "del", e.Name).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("testengine: ip netns del %s: %v: %s", e.Name, err, bytes.TrimSpace(out)))
		}
	}
	return errors.Join(errs...)
}

func removeAllContainers(ctx context.Context, host string) error {
	cli, err := client.New(client.WithHost(host))
	if err != nil {
		return err
	}
	defer cli.Close()
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		return fmt.Errorf("testengine: list containers: %w", err)
	}
	var errs []error
	for _, c := range list.Items {
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			errs = append(errs, fmt.Errorf("testengine: remove container %s: %w", c.ID, err))
		}
	}
	return errors.Join(errs...)
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// netnsPids lists the processes whose network namespace is ns (what
// `ip netns pids` prints).
func netnsPids(ns string) []int {
	var want syscall.Stat_t
	if err := syscall.Stat(ns, &want); err != nil {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, d := range entries {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st) == nil && st.Dev == want.Dev && st.Ino == want.Ino {
			pids = append(pids, pid)
		}
	}
	return pids
}

func inNetNS(pid int, ns string) bool {
	for _, p := range netnsPids(ns) {
		if p == pid {
			return true
		}
	}
	return false
}

// cgroupDirs are the engine's cgroup parent in every v1 hierarchy (and the
// v2 one), where the daemon puts its containers.
func cgroupDirs(name string) []string {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", name))
	if fi, err := os.Stat(filepath.Join("/sys/fs/cgroup", name)); err == nil && fi.IsDir() {
		dirs = append(dirs, filepath.Join("/sys/fs/cgroup", name))
	}
	return dirs
}

func cgroupPids(name string) []int {
	seen := map[int]bool{}
	var pids []int
	for _, dir := range cgroupDirs(name) {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
					seen[pid] = true
					pids = append(pids, pid)
				}
			}
			return nil
		})
	}
	return pids
}

// removeCgroups removes the engine's cgroup trees, deepest first. A cgroup
// whose last process just died can refuse for a moment (EBUSY): retried
// until a deadline.
func removeCgroups(name string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var dirs []string
		for _, root := range cgroupDirs(name) {
			_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					dirs = append(dirs, p)
				}
				return nil
			})
		}
		if len(dirs) == 0 {
			return nil
		}
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		var last error
		for _, d := range dirs {
			if err := syscall.Rmdir(d); err != nil && !errors.Is(err, syscall.ENOENT) {
				last = fmt.Errorf("testengine: rmdir %s: %w", d, err)
			}
		}
		if last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return last
		}
		time.Sleep(50 * time.Millisecond) // the kernel offers no event for "cgroup now empty" on v1
	}
}

// awaitGone waits until none of pids is alive (a zombie counts as gone:
// its parent may be init, which reaps it when it gets to it).
func awaitGone(pids []int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var alive []int
		for _, pid := range pids {
			if processAlive(pid) {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testengine: processes %v still alive %s after SIGKILL", alive, within)
		}
		time.Sleep(20 * time.Millisecond) // no pidfd for processes that are not our children
	}
}

func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		p := unescapeMount(fields[4])
		if p == dir || strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	var errs []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
			errs = append(errs, fmt.Errorf("testengine: unmount %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownerStamp identifies a process across pid reuse: pid and start time.
func ownerStamp(pid int) string {
	return fmt.Sprintf("%d %s", pid, startTime(pid))
}

func startTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19] // field 22, starttime
}

// reapOrphans tears down the engines under Root whose owner process is
// gone: a test binary that panicked on its timeout ran no cleanup.
func reapOrphans(log io.Writer) {
	entries, _ := os.ReadDir(Root())
	for _, d := range entries {
		if !d.IsDir() || !strings.HasPrefix(d.Name(), "berth-") {
			continue
		}
		dir := filepath.Join(Root(), d.Name())
		owner, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue // being prepared, or not ours
		}
		pidStr, _, _ := strings.Cut(string(owner), " ")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || ownerStamp(pid) == string(owner) {
			continue // the owner lives
		}
		e := &Engine{Name: d.Name(), Dir: dir}
		if err := e.teardown(); err != nil && log != nil {
			fmt.Fprintf(log, "testengine: reaping orphaned engine %s: %v\n", d.Name(), err)
		} else if log != nil {
			fmt.Fprintf(log, "testengine: reaped orphaned engine %s (owner %d gone)\n", d.Name(), pid)
		}
	}
}
