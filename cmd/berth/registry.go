package main

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/engine/docker"
	"berth/reconciler"
	"berth/registry"
)

// applyOptions are the apply options every command that creates or pulls
// shares: --parallel, and the registry logins found the docker CLI's way.
// The credentials are read only when a pull or push asks for them.
func (a *app) applyOptions() reconciler.ApplyOptions {
	// The commands that build (up, create, run, watch) have failed on a
	// proxy error already (proxyEnv); pull and push do not build.
	build, _ := a.buildOptions()
	return reconciler.ApplyOptions{Parallel: a.global.parallel, Registries: reconciler.Registries{
		Credentials: registry.NewCredentials(a.environ),
		Log:         registry.NewPullLog(""),
	}, Build: build, Exclusive: a.projectLock().Acquire}
}

// rendererUnless is the renderer of a command with --quiet (build, pull,
// push): none when quiet, else the one --progress picks.
func (a *app) rendererUnless(quiet bool) renderer {
	if quiet {
		return quietRenderer{}
	}
	return a.progressRenderer()
}

// applyTransfers applies a pull or push plan and closes r once it is done;
// a Ctrl-C that cancels the transfers exits 130.
func applyTransfers(ctx context.Context, eng engine.Engine, plan reconciler.Plan, r renderer, ap reconciler.ApplyOptions) error {
	err := reconciler.Apply(ctx, eng, plan, r, ap)
	r.Close()
	return interrupted(ctx, err)
}

// projectLock serializes this machine's berth runs that change one project
// (projectlock.go); a run that waits says so on stderr.
func (a *app) projectLock() *projectLock {
	return newProjectLock(a.environ, func(line string) { fmt.Fprintln(a.stderr, line) })
}

// proxyEnv are the proxy variables the docker CLI's configuration
// ($DOCKER_CONFIG/config.json, else ~/.docker/config.json) sets for the
// engine berth talks to: its "proxies" entry for that host, else
// "default". Containers and builds get those they do not set themselves.
func (a *app) proxyEnv() (map[string]string, error) {
	host := docker.DefaultHost
	if ep, err := docker.ResolveEndpoint(a.environ); err == nil {
		host = ep.Host
	}
	return registry.NewCredentials(a.environ).Proxies(host)
}

// validPull checks a --pull value: Compose's four, "policy" (the file's
// own), or any pull_policy the file could hold (daily, every_12h, …).
func validPull(v string) error {
	switch v {
	case "", "policy", types.PullPolicyAlways, types.PullPolicyMissing, types.PullPolicyNever, types.PullPolicyBuild:
		return nil
	}
	if _, err := registry.ServicePolicy(types.ServiceConfig{Name: "--pull"}, v); err == nil {
		return nil
	}
	return fmt.Errorf("invalid --pull option %q: want \"always\", \"missing\", \"never\" or \"build\"", v)
}

// withoutTransfers hides pull and push progress (--quiet-pull); errors
// and everything else still show.
func withoutTransfers(r renderer) renderer {
	return transferFilter{r}
}

type transferFilter struct{ renderer }

// quietOutput are the --quiet-pull and --quiet-build choices.
type quietOutput struct{ pull, build bool }

// filter wraps r to leave out what they silence.
func (q quietOutput) filter(r renderer) renderer {
	if q.pull {
		r = withoutTransfers(r)
	}
	if q.build {
		r = withoutBuildOutput(r)
	}
	return r
}

// withoutBuildOutput drops the output lines of builds (--quiet-build); the
// Built line and errors stay.
func withoutBuildOutput(r renderer) renderer {
	return buildOutputFilter{r}
}

type buildOutputFilter struct{ renderer }

func (f buildOutputFilter) Event(e reconciler.ProgressEvent) {
	if e.Kind == "Image" && e.Err == nil && e.Status == "Building" && e.Line != "" {
		return
	}
	f.renderer.Event(e)
}

func (f transferFilter) Event(e reconciler.ProgressEvent) {
	if e.Kind == "Image" && e.Err == nil && (e.Status == "Pulling" || e.Status == "Pulled") {
		return
	}
	f.renderer.Event(e)
}
