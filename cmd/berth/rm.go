package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"berth/reconciler"
)

type rmOptions struct {
	reconciler.LifecycleOptions
	force bool
}

func newRmCommand(a *app) *cobra.Command {
	var o rmOptions
	var all bool
	cmd := &cobra.Command{
		Use:   "rm [OPTIONS] [SERVICE...]",
		Short: "Removes stopped service containers",
		Long: `Removes stopped service containers

By default, anonymous volumes attached to containers will not be removed. You
can override this with -v. To list all volumes, use "docker volume ls".

Any data which is not in a volume will be lost.`,
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRm(cmd.Context(), args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.force, "force", "f", false, "Don't ask to confirm removal")
	f.BoolVarP(&o.Stop, "stop", "s", false, "Stop the containers, if required, before removing")
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers")
	f.BoolVarP(&all, "all", "a", false, "Deprecated - no effect")
	_ = f.MarkHidden("all")
	return cmd
}

// runRm removes the stopped containers, asking first unless -f.
func (a *app) runRm(ctx context.Context, services []string, o rmOptions) error {
	_, eng, plan, err := a.planLifecycle(ctx, "rm", services, o.LifecycleOptions)
	if err != nil || a.global.dryRun {
		return a.printPlan(plan, err)
	}
	var names []string
	for _, act := range plan.Actions {
		if act.Op == reconciler.OpRemove {
			names = append(names, act.Target)
		}
	}
	if len(names) == 0 {
		fmt.Fprintln(a.stderr, "No stopped containers")
		return nil
	}
	if !o.force {
		fmt.Fprintf(a.stderr, "Going to remove %s\n? Are you sure? [y/N] ", strings.Join(names, ", "))
		answer, _ := bufio.NewReader(a.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return nil
		}
	}
	return a.applyPlan(ctx, eng, plan)
}
