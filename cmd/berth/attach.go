package main

import (
	"context"
	"errors"
	"fmt"

	"berth/engine"

	"github.com/spf13/cobra"
)

type attachCmdOptions struct {
	index      int
	noStdin    bool
	sigProxy   bool
	detachKeys string
}

func newAttachCommand(a *app) *cobra.Command {
	var o attachCmdOptions
	cmd := &cobra.Command{
		Use:               "attach [OPTIONS] SERVICE",
		Short:             "Attach local standard input, output, and error streams to a service's running container",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeFirstService,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runAttach(cmd.Context(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.index, "index", 0, "index of the container if service has multiple replicas.")
	f.BoolVar(&o.noStdin, "no-stdin", false, "Do not attach STDIN")
	f.BoolVar(&o.sigProxy, "sig-proxy", true, "Proxy all received signals to the process")
	f.StringVar(&o.detachKeys, "detach-keys", "", "Override the key sequence for detaching from a container.")
	return cmd
}

// runAttach connects the terminal to the container's main process until
// its output ends, then exits with the container's exit code.
func (a *app) runAttach(ctx context.Context, service string, o attachCmdOptions) error {
	eng, c, err := a.serviceContainer(ctx, service, o.index)
	if err != nil {
		return err
	}
	in := eng.Interactive()
	if in == nil {
		return errors.New("attach: the engine cannot attach to containers")
	}
	// The engine holds an attach to a container that is not running open
	// forever, with nothing to end it: refuse, as docker attach does, and
	// look again once attached, for a container that exited in between.
	if c.State != engine.StateRunning {
		return fmt.Errorf("cannot attach to %s: the container is %s; start it first", c.Name, c.State)
	}
	conn, err := in.AttachStdio(ctx, c.ID, !o.noStdin)
	if err != nil {
		return err
	}
	if now, err := eng.InspectContainer(ctx, c.ID); err != nil || now.State != engine.StateRunning {
		conn.Close()
		if err != nil {
			return err
		}
		return exitStatus(now)
	}
	tty := a.stdinIsTerminal() && !o.noStdin
	resize := func(h, w uint) error { return in.ResizeContainer(ctx, c.ID, h, w) }
	if err := a.pump(ctx, conn, tty, resize); err != nil {
		return interrupted(ctx, err)
	}
	after, err := eng.InspectContainer(context.WithoutCancel(ctx), c.ID)
	if err != nil {
		return err
	}
	return exitStatus(after)
}

// exitStatus is the container's exit code as berth's, once it stopped.
func exitStatus(c engine.Container) error {
	if c.State != engine.StateRunning && c.ExitCode != 0 {
		return &exitError{code: c.ExitCode}
	}
	return nil
}
