package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// newScaleCommand is `scale SERVICE=N...`: up -d of the named services at
// those counts. Scaling down removes the replicas that no longer match the
// file first, then the highest numbers; nothing that matches is recreated.
func newScaleCommand(a *app) *cobra.Command {
	var noDeps bool
	cmd := &cobra.Command{
		Use:   "scale [SERVICE=REPLICAS...]",
		Short: "Scale services",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			counts, err := parseScaleArgs(args)
			if err != nil {
				return err
			}
			o := upOptions{detach: true}
			o.NoDeps = noDeps
			for _, name := range slices.Sorted(maps.Keys(counts)) {
				o.scale = append(o.scale, name+"="+strconv.Itoa(counts[name]))
			}
			return a.runUp(cmd.Context(), o, slices.Sorted(maps.Keys(counts)), nil)
		},
	}
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "Don't start linked services")
	return cmd
}

// parseScaleArgs reads SERVICE=N arguments, in Docker Compose's words when
// one is wrong.
func parseScaleArgs(args []string) (map[string]int, error) {
	out := map[string]int{}
	for _, arg := range args {
		name, val, ok := strings.Cut(arg, "=")
		if !ok || name == "" || val == "" {
			return nil, fmt.Errorf("invalid scale specifier: %s", arg)
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid scale specifier: can't parse replica value as int: %v", arg)
		}
		out[name] = n
	}
	return out, nil
}
