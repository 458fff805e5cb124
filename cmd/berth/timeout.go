package main

import (
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// stopTimeout is -t/--timeout of stop, restart, down, up and create, read
// the one way Docker Compose reads it: whole seconds, and nil when the flag
// is not given, so that each container keeps its own stop_grace_period.
type stopTimeout struct{ d *time.Duration }

// addTimeoutFlag declares -t/--timeout on f.
func addTimeoutFlag(f *pflag.FlagSet, usage string) *stopTimeout {
	t := &stopTimeout{}
	f.VarP(t, "timeout", "t", usage)
	return t
}

// Set parses the seconds as pflag parses an int flag.
func (t *stopTimeout) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 0)
	if err != nil {
		return err
	}
	d := time.Duration(n) * time.Second
	t.d = &d
	return nil
}

func (t *stopTimeout) String() string {
	if t == nil || t.d == nil {
		return "0" // the zero value, so help shows no default
	}
	return strconv.FormatInt(int64(*t.d/time.Second), 10)
}

// Type is what help shows as the argument's kind.
func (t *stopTimeout) Type() string { return "int" }

// value is the timeout, nil when -t was not given.
func (t *stopTimeout) value() *time.Duration { return t.d }
