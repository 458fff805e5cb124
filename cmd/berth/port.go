package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

func newPortCommand(a *app) *cobra.Command {
	var protocol string
	var index int
	cmd := &cobra.Command{
		Use:               "port [OPTIONS] SERVICE PRIVATE_PORT",
		Short:             "Print the public port for a port binding",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: a.completeFirstService,
		RunE: func(cmd *cobra.Command, args []string) error {
			port, err := strconv.ParseUint(args[1], 10, 16)
			if err != nil {
				return fmt.Errorf("invalid port %q: %w", args[1], err)
			}
			return a.runPort(cmd.Context(), args[0], uint16(port), protocol, index)
		},
	}
	f := cmd.Flags()
	f.StringVar(&protocol, "protocol", "tcp", "tcp or udp")
	f.IntVar(&index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

// runPort prints HOST:PORT where the container's port is published.
func (a *app) runPort(ctx context.Context, service string, port uint16, protocol string, index int) error {
	p, r, err := a.openReader(ctx, service)
	if err != nil {
		return err
	}
	c, err := findReplica(ctx, r, p, service, index, true)
	if err != nil {
		return err
	}
	for _, p := range c.Ports {
		if p.ContainerPort == port && p.Protocol == protocol && p.HostPort != 0 {
			fmt.Fprintf(a.stdout, "%s:%d\n", p.HostIP, p.HostPort)
			return nil
		}
	}
	return fmt.Errorf("no port %d/%s for container %s", port, protocol, c.Name)
}
