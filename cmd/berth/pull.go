package main

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/reconciler"
)

// pullFlags are the flags of `pull`.
type pullFlags struct {
	reconciler.PullOptions
	ignoreFailures bool
	quiet          bool
}

func newPullCommand(a *app) *cobra.Command {
	var o pullFlags
	cmd := &cobra.Command{
		Use:               "pull [OPTIONS] [SERVICE...]",
		Short:             "Pull service images",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			return a.runPull(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.IgnoreBuildable, "ignore-buildable", false, "Ignore images that can be built")
	f.BoolVar(&o.ignoreFailures, "ignore-pull-failures", false, "Pull what it can and ignores images with pull failures")
	f.BoolVar(&o.IncludeDeps, "include-deps", false, "Also pull services declared as dependencies")
	f.StringVar(&o.Policy, "policy", "", `Apply pull policy ("missing"|"always")`)
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Pull without printing progress information")
	return cmd
}

// runPull pulls the images of the named services (all by default), each
// distinct reference once, in parallel up to --parallel.
func (a *app) runPull(ctx context.Context, o pullFlags) error {
	if o.Policy != "" && o.Policy != "missing" && o.Policy != "always" {
		return fmt.Errorf("invalid --policy %q: want \"missing\" or \"always\"", o.Policy)
	}
	p, eng, err := a.open(ctx, o.Services...)
	if err != nil {
		return err
	}
	var st reconciler.Observed
	if needsImages(p, o.PullOptions) {
		if st.Images, err = reconciler.ObserveImages(ctx, eng, p); err != nil {
			return err
		}
	}
	plan, err := reconciler.NewPullPlan(p, st, o.PullOptions)
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	r := a.rendererUnless(o.quiet)
	ap := a.applyOptions()
	ap.Registries.IgnorePullFailures = o.ignoreFailures
	ap.Registries.BuildHint = true
	if err := reconciler.PullSkips(p, o.PullOptions, r); err != nil {
		r.Close()
		return err
	}
	return applyTransfers(ctx, eng, plan, r, ap)
}

// needsImages says whether the pull plan depends on what the engine holds:
// only --policy missing and the services' own missing or timed policies
// do; the default (always) pulls without asking.
func needsImages(p *types.Project, o reconciler.PullOptions) bool {
	if o.Policy == "missing" {
		return true
	}
	for _, s := range p.Services {
		switch s.PullPolicy {
		case "", types.PullPolicyAlways, types.PullPolicyNever, types.PullPolicyBuild:
		default:
			return true
		}
	}
	return false
}
