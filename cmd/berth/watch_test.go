package main

import (
	"errors"
	"testing"
	"time"

	"berth/watch"
)

func TestWatchLine(t *testing.T) {
	rule := watch.Rule{Service: "web", Index: 1, Action: "sync", Path: "/p/src", Target: "/app"}
	for _, c := range []struct {
		r     watch.Report
		want  string
		isErr bool
	}{
		{watch.Report{Service: "node-app", Verb: "synced", Count: 3, Target: "/app", Elapsed: 48 * time.Millisecond}, " Watch node-app synced 3 files to /app (48 ms)", false},
		{watch.Report{Service: "web", Verb: "synced", Count: 1, Target: "/app", Elapsed: time.Millisecond}, " Watch web synced 1 file to /app (1 ms)", false},
		{watch.Report{Service: "web", Verb: "deleted", Count: 2, Target: "/app", Elapsed: 5 * time.Millisecond}, " Watch web deleted 2 files in /app (5 ms)", false},
		{watch.Report{Service: "web", Verb: "restarted", Elapsed: time.Second}, " Watch web restarted (1000 ms)", false},
		{watch.Report{Service: "web", Verb: "executed", Target: "npm run build", Elapsed: 2 * time.Millisecond}, ` Watch web executed "npm run build" (2 ms)`, false},
		{watch.Report{Service: "web", Note: "no running container: nothing synced"}, " Watch web no running container: nothing synced", false},
		{watch.Report{Service: "web", Rule: rule, File: "/p/src/leak", Err: errors.New("symlink points outside the watched path: refused")},
			` Watch web error: /p/src/leak: symlink points outside the watched path: refused (service "web" develop.watch[1] (sync /p/src))`, true},
	} {
		got, isErr := watchLine(c.r)
		if got != c.want || isErr != c.isErr {
			t.Errorf("got %q (error %v), want %q (error %v)", got, isErr, c.want, c.isErr)
		}
	}
}
