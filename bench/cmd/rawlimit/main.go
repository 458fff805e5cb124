package main

import (
	"context"
	"fmt"
	"os"

	"berth/bench/raw"

	"github.com/moby/moby/client"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "rawlimit:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "pull" {
		return pull(args[1:])
	}
	if len(args) != 2 {
		return fmt.Errorf("usage: rawlimit PLAN.json up|ps|warm|down, or rawlimit pull REF...")
	}
	p, err := raw.ReadPlan(args[0])
	if err != nil {
		return err
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx := context.Background()
	switch args[1] {
	case "up":
		return raw.Up(ctx, cli, p)
	case "ps":
		_, err = raw.List(ctx, cli, p, false)
	case "warm":
		_, err = raw.List(ctx, cli, p, true)
	case "down":
		return raw.Down(ctx, cli, p)
	default:
		return fmt.Errorf("unknown operation %q", args[1])
	}
	return err
}

// pull is `rawlimit pull REF...`: the pulls as parallel Engine API calls.
func pull(refs []string) error {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	return raw.Pull(context.Background(), cli, refs)
}
