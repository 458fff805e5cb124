package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestConfirm: up's questions go to stdout and take one line of stdin
// each; no input answers no, and so does an interrupt while waiting.
func TestConfirm(t *testing.T) {
	var out bytes.Buffer
	a := &app{stdin: strings.NewReader("y\nn\n"), stdout: &out}
	confirm := a.confirm(t.Context())
	if !confirm("first?") || confirm("second?") || confirm("third?") {
		t.Errorf("answers y, n, then none: want yes, no, no")
	}
	if got := out.String(); !strings.Contains(got, "first? [y/N] ") || !strings.Contains(got, "third? [y/N] ") {
		t.Errorf("stdout %q", got)
	}

	// Either prompt's yes: a terminal's y/yes, piped input's true/1.
	a = &app{stdin: strings.NewReader("YES\ntrue\n1\nno\nmaybe\n"), stdout: io.Discard}
	confirm = a.confirm(t.Context())
	for i, want := range []bool{true, true, true, false, false} {
		if got := confirm("again?"); got != want {
			t.Errorf("answer %d: %v, want %v", i, got, want)
		}
	}

	r, w := io.Pipe() // an answer that never comes
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	a = &app{stdin: r, stdout: io.Discard}
	confirm = a.confirm(ctx)
	answered := make(chan bool, 1)
	go func() { answered <- confirm("recreate?") }()
	cancel()
	if <-answered {
		t.Error("an interrupt answered yes")
	}
	if confirm("after?") {
		t.Error("asked after the interrupt")
	}
}
