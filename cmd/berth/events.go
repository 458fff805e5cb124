package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/engine"

	"github.com/spf13/cobra"
)

func newEventsCommand(a *app) *cobra.Command {
	var asJSON bool
	var since, until string
	cmd := &cobra.Command{
		Use:               "events [OPTIONS] [SERVICE...]",
		Short:             "Receive real time events from containers",
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := eventWindow(since, until, time.Now())
			if err != nil {
				return err
			}
			return a.runEvents(cmd.Context(), args, f, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "Output events as a stream of json objects")
	cmd.Flags().StringVar(&since, "since", "", "Show all events created since timestamp")
	cmd.Flags().StringVar(&until, "until", "", "Stream events until this timestamp")
	return cmd
}

// eventWindow reads --since and --until into a filter's Since and Until.
func eventWindow(since, until string, now time.Time) (engine.EventFilter, error) {
	var f engine.EventFilter
	var err error
	if f.Since, err = parseEventTime("--since", since, now); err != nil {
		return f, err
	}
	if f.Until, err = parseEventTime("--until", until, now); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since) {
		return f, fmt.Errorf("--until %s is before --since %s", until, since)
	}
	return f, nil
}

// parseEventTime reads a time as the docker CLI takes it for events: a
// duration before now (10m), an RFC 3339 date or time, with or without
// zone (local when absent) and fraction, or Unix seconds (1700000000,
// 1700000000.5). "" is the zero time.
func parseEventTime(flag, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && v != "0" {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15Z07:00", "2006-01-02Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02T15", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, now.Location()); err == nil {
			return t, nil
		}
	}
	if sec, frac, ok := strings.Cut(v, "."); !strings.HasPrefix(v, "-") {
		s, err := strconv.ParseInt(sec, 10, 64)
		var ns int64
		if err == nil && ok {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			ns, err = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		}
		if err == nil {
			return time.Unix(s, ns), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: not a timestamp (2013-01-02T13:23:37Z, Unix seconds) or a duration (42m)", flag, v)
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

// runEvents prints the project's container events (since f.Since, when
// set) until Ctrl-C or f.Until.
func (a *app) runEvents(ctx context.Context, services []string, f engine.EventFilter, asJSON bool) error {
	p, eng, err := a.openReader(ctx, services...)
	if err != nil {
		return err
	}
	f.Project = p.Name
	events, errs := eng.Events(ctx, f)
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
	if !f.Until.IsZero() && ctx.Err() == nil {
		return nil // the stream ended at --until
	}
	return interrupted(ctx, ctx.Err())
}
