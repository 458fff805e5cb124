package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"berth/engine"
)

// newCommitCommand is `commit SERVICE [REPOSITORY[:TAG]]`: an image of a
// service container's changes.
func newCommitCommand(a *app) *cobra.Command {
	var o engine.CommitOptions
	var pause bool
	var index int
	cmd := &cobra.Command{
		Use:   "commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]",
		Short: "Create a new image from a service container's changes",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.Ref = args[1]
			}
			o.NoPause = !pause
			eng, c, err := a.serviceContainer(cmd.Context(), args[0], index)
			if err != nil {
				return err
			}
			id, err := eng.CommitContainer(cmd.Context(), c.Name, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, id)
			return nil
		},
		ValidArgsFunction: a.completeServices,
	}
	f := cmd.Flags()
	f.StringVarP(&o.Author, "author", "a", "", `Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	f.StringArrayVarP(&o.Changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	f.StringVarP(&o.Message, "message", "m", "", "Commit message")
	f.BoolVarP(&pause, "pause", "p", true, "Pause container during commit")
	f.IntVar(&index, "index", 0, "index of the container if service has multiple replicas")
	return cmd
}

// newExportCommand is `export SERVICE`: a service container's filesystem
// as a tar, to -o or to stdout when that is not a terminal.
func newExportCommand(a *app) *cobra.Command {
	var output string
	var index int
	cmd := &cobra.Command{
		Use:   "export [OPTIONS] SERVICE",
		Short: "Export a service container's filesystem as a tar archive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runExport(cmd.Context(), args[0], index, output)
		},
		ValidArgsFunction: a.completeServices,
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "", "Write to a file, instead of STDOUT")
	f.IntVar(&index, "index", 0, "index of the container if service has multiple replicas")
	return cmd
}

func (a *app) runExport(ctx context.Context, service string, index int, output string) error {
	if output == "" {
		if f, ok := a.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return errors.New("output option is required when exporting to terminal")
		}
	}
	eng, c, err := a.serviceContainer(ctx, service, index)
	if err != nil {
		return err
	}
	rc, err := eng.Export(ctx, c.Name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if output == "" {
		_, err = io.Copy(a.stdout, rc)
		return err
	}
	return writeFileAtomic(output, rc)
}

// writeFileAtomic writes r to a temporary file beside path, then renames
// it, so a failed export leaves no half-written archive.
func writeFileAtomic(path string, r io.Reader) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".berth-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
