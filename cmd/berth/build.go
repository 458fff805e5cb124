package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"berth/imagebuild"
	"berth/project"
	"berth/reconciler"
)

// buildFlags are the flags of `build`, as Docker Compose has them.
type buildFlags struct {
	noCache, pull, quiet, withDeps bool
	push                           bool // push the images built (push.go)
	buildArgs                      []string
	secrets, ssh                   []string
	memory                         string // --memory, e.g. "512m"
	print, check                   bool   // refused: they ask a BuildKit front-end berth does not drive
}

func newBuildCommand(a *app) *cobra.Command {
	var o buildFlags
	cmd := &cobra.Command{
		Use:               "build [OPTIONS] [SERVICE...]",
		Short:             "Build or rebuild services",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runBuild(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.noCache, "no-cache", false, "Do not use cache when building the image")
	f.BoolVar(&o.pull, "pull", false, "Always attempt to pull a newer version of the image")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	f.StringArrayVar(&o.buildArgs, "build-arg", nil, "Set build-time variables for services")
	f.BoolVar(&o.withDeps, "with-dependencies", false, "Also build dependencies (transitively)")
	f.BoolVar(&o.push, "push", false, "Push service images")
	f.StringArrayVar(&o.secrets, "secret", nil, `Secret to expose to the builds ("id=mysecret,src=/local/secret" or "id=tok,env=TOKEN")`)
	f.StringArrayVar(&o.ssh, "ssh", nil, `SSH agent socket or keys to expose to the builds ("default" or "id=/path/to/key")`)
	f.StringVarP(&o.memory, "memory", "m", "", "Set memory limit for the build container")
	f.BoolVar(&o.print, "print", false, "Print the resolved build definitions (bake's JSON format) and build nothing")
	f.BoolVar(&o.check, "check", false, "Check build configuration (not supported by berth: the engine's build API runs no build checks)")
	return cmd
}

// runBuild builds the images of the named services (all by default).
func (a *app) runBuild(ctx context.Context, o buildFlags, services []string) error {
	if o.check {
		return errors.New("build --check: berth builds through the engine's build API, which runs no build checks")
	}
	memory, err := parseMemory(o.memory)
	if err != nil {
		return err
	}
	p, err := a.load(ctx, a.composeOptions(services))
	if err != nil {
		return err
	}
	if o.withDeps && len(services) > 0 {
		services = withDependencies(p, services)
	}
	if o.print {
		return printBuilds(a.stdout, p, services, o)
	}
	opts, err := a.buildOptions()
	if err != nil {
		return err
	}
	opts.NoCache, opts.Pull, opts.Args = o.noCache, o.pull, parseBuildArgs(o.buildArgs)
	opts.Secrets, opts.SSH = o.secrets, o.ssh
	opts.Memory = memory
	r := a.rendererUnless(o.quiet)
	defer r.Close()
	var b imagebuild.Builder = dryBuilder{}
	if !a.global.dryRun {
		eng, err := a.engine(ctx)
		if err != nil {
			return err
		}
		b = eng
	}
	_, err = imagebuild.Images(ctx, b, p, services, opts, buildProgress(r))
	if err != nil || !o.push || a.global.dryRun {
		return interrupted(ctx, err) // Ctrl-C cancels the builds: exit 130
	}
	eng, err := a.engine(ctx)
	if err != nil {
		return err
	}
	return a.push(ctx, eng, p, pushFlags{PushOptions: reconciler.PushOptions{Services: services}, quiet: o.quiet})
}

// buildOptions are the choices every build of the run shares: --parallel,
// the proxies of the docker CLI's config.json (build args), and
// DOCKER_BUILDKIT=0 (or false), which asks for the classic builder as it
// does of docker build.
func (a *app) buildOptions() (imagebuild.Options, error) {
	o := imagebuild.Options{Parallel: a.global.parallel}
	var err error
	if o.Proxy, err = a.proxyEnv(); err != nil {
		return o, err // a config.json that cannot be read, as up and run say
	}
	if v := a.getenv("DOCKER_BUILDKIT"); v != "" {
		on, err := strconv.ParseBool(v)
		o.Classic = err == nil && !on
	}
	return o, nil
}

// withDependencies adds what the services depend on, transitively; a
// dependency the project does not hold (disabled by a profile) is skipped.
func withDependencies(p *types.Project, services []string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		s, ok := p.Services[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		for _, d := range project.Dependencies(s) {
			visit(d)
		}
	}
	for _, name := range services {
		visit(name)
	}
	return slices.Sorted(maps.Keys(seen))
}

// parseBuildArgs reads --build-arg K=V; a bare K takes its value from the
// environment (build resolves it against the project's).
func parseBuildArgs(args []string) map[string]*string {
	out := map[string]*string{}
	for _, kv := range args {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			out[k] = nil
			continue
		}
		out[k] = &v
	}
	return out
}

// dryBuilder is the Builder of --dry-run: it checks each request and builds
// nothing.
type dryBuilder struct{}

func (dryBuilder) BuildImage(context.Context, imagebuild.Request, imagebuild.Output) (string, error) {
	return "", nil
}

// buildProgress turns build events into progress events for the shared
// renderers: every line of output as a line of its service (plain shows
// them, "web  | Step 2/5 : RUN …"), and each Dockerfile step as the
// service's current status, the one line a tty shows per service.
func buildProgress(r reconciler.Progress) imagebuild.Progress {
	return func(e imagebuild.Event) {
		pe := reconciler.ProgressEvent{Kind: "Service", Name: e.Service, Service: e.Service, Status: e.Status, Err: e.Err}
		switch {
		case e.Warning != "":
			r.Event(reconciler.ProgressEvent{Kind: "Warning", Line: e.Warning})
			return
		case e.Line != "":
			r.Event(reconciler.ProgressEvent{Kind: "Service", Name: e.Service, Service: e.Service, Line: e.Line})
			if e.Step == "" {
				return
			}
			pe.Status = "Building " + shorten(strings.TrimPrefix(e.Step, "Step "), 60)
		case e.Status == "Built":
			pe.Done = true
		}
		r.Event(pe)
	}
}

// shorten cuts s to n runes, so a long RUN line does not wrap a tty line.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// parseMemory reads --memory ("512m", "1g", bytes); "" is no limit.
func parseMemory(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil {
		return 0, fmt.Errorf("invalid --memory %q: %w", s, err)
	}
	return n, nil
}
