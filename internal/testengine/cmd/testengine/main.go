// Command testengine provisions and runs berth's private modern Docker
// Engine outside `go test`, for make and .ci/run.
//
//	testengine provision          build or reuse the pinned dockerd, docker-proxy
//	                              and runc; print their paths
//	testengine run -- CMD ARGS…   start the modern engine with the offline test
//	                              images, run CMD with DOCKER_HOST pointing at it
//	                              (and BERTH_TESTENGINE_NETNS naming its network
//	                              namespace), tear the engine down, exit with
//	                              CMD's status
//
// run needs root. SIGINT and SIGTERM go to CMD; the engine is torn down
// after CMD exits, whatever happened.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"berth/internal/testengine"
	"berth/internal/testimages"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "provision":
		os.Exit(provision())
	case "run":
		args := os.Args[2:]
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		if len(args) == 0 {
			usage()
		}
		os.Exit(run(args))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: testengine provision | testengine run -- CMD [ARGS...]")
	os.Exit(2)
}

func provision() int {
	begin := time.Now()
	b, err := testengine.Binaries(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("dockerd=%s\ndocker-proxy=%s\nrunc=%s\n", b.Dockerd, b.DockerProxy, b.Runc)
	fmt.Fprintf(os.Stderr, "testengine: provisioned in %s\n", time.Since(begin).Round(time.Millisecond))
	return 0
}

func run(argv []string) int {
	ctx := context.Background()
	// Signals arrive while the engine starts, too: hold them until CMD runs.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	begin := time.Now()
	opts, err := testengine.Modern(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "testengine: binaries ready after %s\n", time.Since(begin).Round(time.Millisecond))
	if err := testimages.Ensure(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts.Images = testimages.All
	opts.Log = os.Stderr
	e, err := testengine.Launch(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "testengine: engine ready after %s: DOCKER_HOST=%s\n", time.Since(begin).Round(time.Millisecond), e.Host)
	code := 1
	func() {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(e.Environ(os.Environ()), "BERTH_TESTENGINE_NETNS="+e.NetNSPath())
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for {
			select {
			case sig := <-sigs:
				_ = cmd.Process.Signal(sig)
				continue
			case err := <-done:
				var exit *exec.ExitError
				switch {
				case err == nil:
					code = 0
				case errors.As(err, &exit) && exit.ExitCode() >= 0:
					code = exit.ExitCode()
				default:
					fmt.Fprintln(os.Stderr, err)
				}
			}
			return
		}
	}()
	stop := time.Now()
	if err := e.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	fmt.Fprintf(os.Stderr, "testengine: engine torn down in %s\n", time.Since(stop).Round(time.Millisecond))
	return code
}
