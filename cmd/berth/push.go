package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/reconciler"
)

// pushFlags are the flags of `push`.
type pushFlags struct {
	reconciler.PushOptions
	ignoreFailures bool
	quiet          bool
}

func newPushCommand(a *app) *cobra.Command {
	var o pushFlags
	cmd := &cobra.Command{
		Use:               "push [OPTIONS] [SERVICE...]",
		Short:             "Push service images",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			p, eng, err := a.open(cmd.Context(), args...)
			if err != nil {
				return err
			}
			return a.push(cmd.Context(), eng, p, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.ignoreFailures, "ignore-push-failures", false, "Push what it can and ignores images with push failures")
	f.BoolVar(&o.IncludeDeps, "include-deps", false, "Also push images of services declared as dependencies")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Push without printing progress information")
	return cmd
}

// push pushes the images the selected services build and name; build
// --push calls it after building.
func (a *app) push(ctx context.Context, eng engine.Engine, p *types.Project, o pushFlags) error {
	plan, err := reconciler.NewPushPlan(p, o.PushOptions)
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	r := a.rendererUnless(o.quiet)
	ap := a.applyOptions()
	ap.Registries.IgnorePushFailures = o.ignoreFailures
	return applyTransfers(ctx, eng, plan, r, ap)
}
