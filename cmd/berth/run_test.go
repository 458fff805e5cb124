package main

import (
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
