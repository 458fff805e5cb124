package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
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

func TestEnvFromFilesParsesAsDotEnv(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "a.env")
	second := filepath.Join(dir, "b.env")
	mustWrite(t, first, "# a comment\nexport PLAIN=one\nQUOTED=\"two words\" # trailing\nREF=${GIVEN}-x\nFLAG=from-file\nBARE_UNSET\nBARE_GIVEN\n")
	mustWrite(t, second, "PLAIN=second-file\nLATE=late\n")
	got, err := envFromFiles([]string{first, second}, []string{"GIVEN=g", "FLAG=from-flag", "BARE_GIVEN=b", "ONLYKEY"})
	if err != nil {
		t.Fatal(err)
	}
	// -e's keys stay -e's; the first file to set a key wins; a bare key
	// takes only a -e value, else it is left out.
	want := []string{"PLAIN=one", "QUOTED=two words", "REF=g-x", "LATE=late"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("env %q, want %q", got, want)
	}
	if _, err := envFromFiles([]string{filepath.Join(dir, "missing.env")}, nil); err == nil || !strings.Contains(err.Error(), "--env-from-file") {
		t.Errorf("a missing file: %v", err)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
