package main

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestStopTimeoutFlag(t *testing.T) {
	cases := []struct {
		args []string
		want *time.Duration // nil: not given
		bad  bool
	}{
		{args: nil, want: nil},
		{args: []string{"-t", "0"}, want: ptr(0 * time.Second)},
		{args: []string{"--timeout=7"}, want: ptr(7 * time.Second)},
		{args: []string{"-t", "-1"}, want: ptr(-1 * time.Second)},
		{args: []string{"-t", "1.5"}, bad: true},
	}
	for _, c := range cases {
		f := pflag.NewFlagSet("stop", pflag.ContinueOnError)
		timeout := addTimeoutFlag(f, "")
		err := f.Parse(c.args)
		switch {
		case c.bad:
			if err == nil {
				t.Errorf("%q accepted", c.args)
			}
		case err != nil:
			t.Errorf("%q: %v", c.args, err)
		case (c.want == nil) != (timeout.value() == nil) || c.want != nil && *c.want != *timeout.value():
			t.Errorf("%q: got %v, want %v", c.args, timeout.value(), c.want)
		}
	}
}

// TestStopTimeoutHelp: the flag reads as an int without a default, as
// Docker Compose's does, on every command that takes it.
func TestStopTimeoutHelp(t *testing.T) {
	for _, c := range (&app{}).commandList() {
		fl := c.Flags().Lookup("timeout")
		if fl == nil {
			continue
		}
		if _, ok := fl.Value.(*stopTimeout); !ok {
			t.Errorf("%s: -t is a %T, not the shared stopTimeout", c.Name(), fl.Value)
		}
		if fl.Shorthand != "t" || fl.Value.Type() != "int" || fl.DefValue != "0" {
			t.Errorf("%s: -t reads %q %q %q", c.Name(), fl.Shorthand, fl.Value.Type(), fl.DefValue)
		}
	}
}

func ptr[T any](v T) *T { return &v }
