package main

import (
	"github.com/spf13/cobra"

	"berth/compose"
)

// create is up without starting anything (up --no-start), with create's
// own flags.
func newCreateCommand(a *app) *cobra.Command {
	var o upOptions
	cmd := &cobra.Command{
		Use:               "create [OPTIONS] [SERVICE...]",
		Short:             "Creates containers for a service",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.NoStart, o.detach = true, true
			if len(args) > 0 {
				// The loader names an unknown service with the closest one.
				if _, _, err := compose.Load(cmd.Context(), a.composeOptions(args)); err != nil {
					return err
				}
			}
			return a.runUp(cmd.Context(), o, args, nil)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Build, "build", false, "Build images before starting containers")
	f.BoolVar(&o.NoBuild, "no-build", false, "Don't build an image, even if it's policy")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration and image haven't changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.StringArrayVar(&o.scale, "scale", nil, "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
	f.StringVar(&o.Pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never"|"build")`)
	f.BoolVarP(&o.RecreateVolumes, "yes", "y", false, "Assume \"yes\" as answer to all prompts and run non-interactively")
	return cmd
}
