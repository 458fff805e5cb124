package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPluginMetadata(t *testing.T) {
	code, out, errOut := berth(t, nil, "docker-cli-plugin-metadata")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v: %q", err, out)
	}
	if m["SchemaVersion"] != "0.1.0" || m["Vendor"] == "" || m["Version"] != version || m["ShortDescription"] == "" {
		t.Errorf("metadata %v", m)
	}
}

func TestPluginRunsTheCommandAfterItsName(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": shop})
	file := filepath.Join(dir, "compose.yaml")
	code, out, errOut := berth(t, nil, "--log-level", "info", "compose", "-f", file, "config", "--services")
	if code != 0 || out != "db\nweb\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, _ := berth(t, nil, "compose", "version", "--short"); code != 0 || out != version+"\n" {
		t.Errorf("compose version: exit %d, %q", code, out)
	}
}

func TestPluginArgs(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name   string
		args   []string
		plugin bool
		rest   []string
		env    []string
		err    string
	}{
		{"plain berth", []string{"up", "-d"}, false, nil, nil, ""},
		{"berth flag first", []string{"-p", "x", "up"}, false, nil, nil, ""},
		{"no options", []string{"compose", "up", "-d"}, true, []string{"up", "-d"}, nil, ""},
		{"berth flags after the name", []string{"compose", "-p", "x", "ps"}, true, []string{"-p", "x", "ps"}, nil, ""},
		{"host", []string{"-H", "tcp://h:2376", "--tlsverify", "compose", "ps"}, true, []string{"ps"},
			[]string{"DOCKER_HOST=tcp://h:2376", "DOCKER_TLS_VERIFY=1"}, ""},
		{"context clears DOCKER_HOST", []string{"--context=remote", "-D", "compose", "ps"}, true, []string{"ps"},
			[]string{"DOCKER_HOST=", "DOCKER_CONTEXT=remote"}, ""},
		{"config", []string{"--config", "/cfg", "-l", "debug", "compose"}, true, []string{},
			[]string{"DOCKER_CONFIG=/cfg"}, ""},
		{"certificates of one directory", []string{"--tlscacert", "/c/ca.pem", "--tlskey=/c/key.pem", "compose", "ps"}, true, []string{"ps"},
			[]string{"DOCKER_CERT_PATH=/c"}, ""},
		{"tls without verification", []string{"-H", "tcp://h:2376", "--tls", "compose", "ps"}, true, []string{"ps"},
			[]string{"DOCKER_HOST=tcp://h:2376", "DOCKER_CERT_PATH=/home/u/.docker"}, ""},
		{"host and context", []string{"-H", "unix:///s", "-c", "x", "compose"}, true, nil, nil, "either --host or --context"},
		{"two hosts", []string{"-H", "unix:///a", "-H", "unix:///b", "compose"}, true, nil, nil, "one --host, not 2"},
		{"certificate named otherwise", []string{"--tlscert", "/c/client.crt", "compose"}, true, nil, nil, `--tlscert "/c/client.crt"`},
		{"unknown docker option", []string{"--bogus", "compose", "ps"}, false, nil, nil, ""},
		{"completion", []string{"__complete", "compose", "-f", "c.yaml", "exec", ""}, true,
			[]string{"__complete", "-f", "c.yaml", "exec", ""}, nil, ""},
		{"completion without descriptions", []string{"-H", "unix:///s", "__completeNoDesc", "compose", "logs", "w"}, true,
			[]string{"__completeNoDesc", "logs", "w"}, []string{"DOCKER_HOST=unix:///s"}, ""},
		{"completion of berth itself", []string{"__complete", "exec", ""}, false, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, gotEnv, plugin, err := pluginArgs(tt.args, getenv)
			if plugin != tt.plugin {
				t.Fatalf("plugin %v, want %v", plugin, tt.plugin)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.plugin && (!slices.Equal(rest, tt.rest) || !slices.Equal(gotEnv, tt.env)) {
				t.Errorf("rest %q env %q, want %q %q", rest, gotEnv, tt.rest, tt.env)
			}
		})
	}
}

func TestPluginBadDockerOptionsExit1(t *testing.T) {
	code, out, errOut := berth(t, nil, "-H", "unix:///a", "--context", "b", "compose", "version")
	if code != 1 || out != "" || !strings.Contains(errOut, "berth: docker options") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// The docker CLI closes its plugin socket to pass on an interrupt; berth
// then cancels the command's context, as a first Ctrl-C does, without
// raising a signal (a second one would end berth by default: exit 255).
func TestPluginSocketCloseCancels(t *testing.T) {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	addr := "@berth-test-" + hex.EncodeToString(b)
	l, err := net.Listen("unix", addr)
	if err != nil {
		t.Skipf("no abstract unix sockets here: %v", err)
	}
	defer l.Close()
	closed := (&app{environ: []string{pluginSocketVar + "=" + addr}}).watchPluginSocket()
	if closed == nil {
		t.Fatal("berth did not connect to the plugin socket")
	}
	ctx, cancel := cancelOnClose(t.Context(), closed)
	defer cancel()
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
		t.Fatal("cancelled before the socket closed")
	default:
	}
	conn.Close()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("closing the socket did not cancel berth's context")
	}
}

// stubSupervised counts interrupts; Supervise ends when finish is closed.
type stubSupervised struct {
	interrupts int
	finish     chan struct{}
}

func (s *stubSupervised) Supervise() (int, error) { <-s.finish; return 0, nil }
func (s *stubSupervised) Interrupt() bool         { s.interrupts++; return true }

// A Ctrl-C that reached berth as a signal and made the docker CLI close
// its plugin socket is one press: attached up stops gracefully and does
// not kill. A close alone is a press; signals after it still count.
func TestPluginSocketCloseCountsOnlyAsFirstPress(t *testing.T) {
	const sig, closeSocket = "signal", "close"
	cases := []struct {
		early  bool // a signal came before attached up's handler
		events []string
		want   int
	}{
		{false, []string{sig, closeSocket}, 1},
		{true, []string{closeSocket}, 1},
		{false, []string{closeSocket}, 1},
		{false, []string{closeSocket, sig}, 2},
		{false, []string{sig, sig}, 2},
	}
	for _, c := range cases {
		// Unbuffered channels: each send returns once the loop took it, so
		// the events arrive in the order of the case.
		sigc, closed := make(chan os.Signal), make(chan struct{})
		u := &stubSupervised{finish: make(chan struct{})}
		type result struct{ interrupted bool }
		done := make(chan result, 1)
		go func() {
			_, interrupted, _ := superviseUntilDone(u, newLogPrinter(io.Discard, false, false, false), sigc, closed, c.early)
			done <- result{interrupted}
		}()
		for _, ev := range c.events {
			if ev == sig {
				sigc <- os.Interrupt
			} else {
				closed <- struct{}{}
			}
		}
		close(u.finish)
		r := <-done
		if u.interrupts != c.want || !r.interrupted {
			t.Errorf("early %v, %v: %d presses (interrupted %v), want %d", c.early, c.events, u.interrupts, r.interrupted, c.want)
		}
	}
}

func TestPluginWithoutListenerRunsOn(t *testing.T) {
	if closed := (&app{environ: []string{pluginSocketVar + "=@berth-test-nobody-listens"}}).watchPluginSocket(); closed != nil {
		t.Error("a socket without a listener gave a channel to wait on")
	}
	code, out, _ := berth(t, []string{pluginSocketVar + "=@berth-test-nobody-listens"}, "compose", "version", "--short")
	if code != 0 || out != version+"\n" {
		t.Errorf("exit %d, %q", code, out)
	}
}
