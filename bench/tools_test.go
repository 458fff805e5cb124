package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// op is one operation the benchmark times.
type op string

const (
	opUp   op = "up"   // cold `up -d`: nothing exists
	opPs   op = "ps"   // `ps` of the running project
	opWarm op = "warm" // warm `up -d`: everything is as it should be
	opDown op = "down" // `down`
)

var ops = []op{opUp, opPs, opWarm, opDown}

// opTimeout bounds one operation, so a hung tool cannot eat the whole run.
const opTimeout = 5 * time.Minute

// tool is a program that performs the operations on one project directory.
type tool struct {
	name string
	argv func(op) []string
	dir  string
	log  string // stderr of the last run, read back on failure
}

// result is one timed run.
type result struct {
	elapsed time.Duration // from fork to exit
	maxRSS  int64         // bytes
}

// composeArgs are the arguments of a compose-like CLI for each operation.
func composeArgs(o op) []string {
	switch o {
	case opUp, opWarm:
		return []string{"up", "-d"}
	case opPs:
		return []string{"ps"}
	default:
		return []string{"down"}
	}
}

func rawTool(bin, plan, dir string) tool {
	return tool{name: "raw", dir: dir, log: filepath.Join(dir, "raw.log"), argv: func(o op) []string {
		return []string{bin, plan, string(o)}
	}}
}

func cliTool(name, bin, projectName, dir string) tool {
	return tool{name: name, dir: dir, log: filepath.Join(dir, name+".log"), argv: func(o op) []string {
		return append([]string{bin, "-p", projectName}, composeArgs(o)...)
	}}
}

// run performs o once. Output goes to files, not pipes, so that no tool pays
// for the benchmark's reading of it; env is added to the environment.
func (t tool) run(ctx context.Context, o op, env ...string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	logf, err := os.Create(t.log)
	if err != nil {
		return result{}, err
	}
	defer logf.Close()
	args := t.argv(o)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = t.dir, logf, logf
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	err = cmd.Run()
	r := result{elapsed: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.maxRSS = ru.Maxrss * 1024 // Linux reports KiB
		}
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w: %s", t.name, o, err, tail(t.log))
	}
	return r, nil
}

// tail is the last lines of a log, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// buildRaw builds the raw limit's command into dir.
func buildRaw(dir string) (string, error) {
	bin := filepath.Join(dir, "rawlimit")
	out, err := exec.Command("go", "build", "-o", bin, "berth/bench/cmd/rawlimit").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build rawlimit: %w: %s", err, out)
	}
	return bin, nil
}

// berthBin is BERTH_BIN, else bin/berth of this checkout.
func berthBin() (string, error) {
	bin := os.Getenv("BERTH_BIN")
	if bin == "" {
		bin = filepath.Join("..", "bin", "berth")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("berth binary: %w (run make build, or set BERTH_BIN)", err)
	}
	return bin, nil
}

// composeBin is docker-compose from PATH and its version, or "" when it is
// not installed.
func composeBin() (bin, version string) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		return "", ""
	}
	out, err := exec.Command(bin, "version", "--short").Output()
	if err != nil {
		return "", ""
	}
	return bin, strings.TrimSpace(string(out))
}
