package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"berth/engine"

	"github.com/spf13/cobra"
)

func newEventsCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "events [OPTIONS] [SERVICE...]",
		Short:             "Receive real time events from containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runEvents(cmd.Context(), args, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "Output events as a stream of json objects")
	return cmd
}

// eventEntry is an event as `events --json` prints it.
type eventEntry struct {
	Time       string            `json:"time"`
	Type       string            `json:"type"`
	Action     string            `json:"action"`
	ID         string            `json:"id"`
	Service    string            `json:"service"`
	Attributes map[string]string `json:"attributes"`
}

// runEvents prints the project's container events until Ctrl-C.
func (a *app) runEvents(ctx context.Context, services []string, asJSON bool) error {
	p, eng, err := a.openReader(ctx, services...)
	if err != nil {
		return err
	}
	events, errs := eng.Events(ctx, engine.EventFilter{Project: p.Name})
	enc := json.NewEncoder(a.stdout)
	for ev := range events {
		if len(services) > 0 && !slices.Contains(services, ev.Service) {
			continue
		}
		attrs := map[string]string{"name": ev.Name}
		if img := ev.Labels["image"]; img != "" {
			attrs["image"] = img
		}
		e := eventEntry{Time: ev.Time.UTC().Format(time.RFC3339Nano), Type: "container", Action: string(ev.Action),
			ID: ev.ContainerID, Service: ev.Service, Attributes: attrs}
		if asJSON {
			if err := enc.Encode(e); err != nil {
				return err
			}
			continue
		}
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			kv = append(kv, k+"="+attrs[k])
		}
		fmt.Fprintf(a.stdout, "%s container %s %s (%s)\n", ev.Time.Format("2006-01-02 15:04:05.000000"), e.Action, e.ID, strings.Join(kv, ", "))
	}
	if err := <-errs; err != nil {
		return err
	}
	return interrupted(ctx, ctx.Err())
}
