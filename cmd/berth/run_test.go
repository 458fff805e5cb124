package main

import (
	"os"
	"slices"
	"testing"
)

// TestRunFlagSpellings: run takes --volumes and --labels for --volume and
// --label, and --no-TTY for --no-tty.
func TestRunFlagSpellings(t *testing.T) {
	cmd := newRunCommand(&app{})
	f := cmd.Flags()
	if err := f.Parse([]string{"--volumes", "/a:/b", "--labels", "k=v", "--no-TTY", "web"}); err != nil {
		t.Fatal(err)
	}
	vols, _ := f.GetStringArray("volume")
	labels, _ := f.GetStringArray("label")
	noTTY, _ := f.GetBool("no-tty")
	if !slices.Equal(vols, []string{"/a:/b"}) || !slices.Equal(labels, []string{"k=v"}) || !noTTY {
		t.Errorf("volume %v, label %v, no-tty %v", vols, labels, noTTY)
	}
}

// TestRunTTY: run's pseudo-TTY as Docker Compose decides it. Input here
// is never a terminal (a pipe, as in `echo x | docker compose run`), so a
// TTY asked for with input attached is refused.
func TestRunTTY(t *testing.T) {
	const refused = "cannot attach stdin to a TTY-enabled container because stdin is not a terminal"
	cases := []struct {
		args    []string
		tty     bool
		wantErr string
	}{
		{[]string{"web"}, false, ""},
		{[]string{"-T", "web"}, false, ""},
		{[]string{"--tty=false", "web"}, false, ""},
		{[]string{"--tty", "web"}, false, refused},
		{[]string{"-t", "web"}, false, refused},
		{[]string{"--no-tty=false", "web"}, false, refused},
		{[]string{"-it", "web"}, false, refused},
		{[]string{"--tty", "-i=false", "web"}, true, ""},
		{[]string{"-i", "web"}, false, ""}, // the output is no terminal either
		{[]string{"--tty", "--no-tty", "web"}, false, "--tty and --no-tty can't be used together"},
	}
	for _, c := range cases {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		a := &app{stdin: r, stdout: w}
		cmd := newRunCommand(a)
		if err := cmd.Flags().Parse(c.args); err != nil {
			t.Fatal(err)
		}
		var o runFlags
		o.tty, _ = cmd.Flags().GetBool("tty")
		o.noTTY, _ = cmd.Flags().GetBool("no-tty")
		o.interactive, _ = cmd.Flags().GetBool("interactive")
		tty, err := a.runTTY(cmd.Flags(), o)
		r.Close()
		w.Close()
		if got := errString(err); got != c.wantErr || tty != c.tty {
			t.Errorf("run %v: tty %v, error %q; want tty %v, error %q", c.args, tty, got, c.tty, c.wantErr)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
