package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"berth/engine"

	"github.com/spf13/cobra"
)

type cpOptions struct {
	archive, followLink, all bool
	index                    int
}

func newCpCommand(a *app) *cobra.Command {
	var o cpOptions
	cmd := &cobra.Command{
		Use: `cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-
	berth cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH`,
		Short: "Copy files/folders between a service container and the local filesystem",
		Long: `Copy files/folders between a service container and the local filesystem

A path that exists as a directory receives the copy inside it; otherwise the
copy takes the path's name. "-" reads or writes a tar stream.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCp(cmd.Context(), args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	f.BoolVarP(&o.followLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	f.BoolVar(&o.all, "all", false, "Include containers created by the run command")
	f.IntVar(&o.index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

// runCp copies in the direction the SERVICE: prefix shows.
func (a *app) runCp(ctx context.Context, src, dst string, o cpOptions) error {
	srcSvc, srcPath, srcIn := splitServicePath(src)
	dstSvc, dstPath, dstIn := splitServicePath(dst)
	switch {
	case srcIn && dstIn:
		return errors.New("copying between containers is not supported")
	case !srcIn && !dstIn:
		return errors.New("must specify at least one container source (SERVICE:PATH)")
	case srcIn:
		eng, id, err := a.cpContainer(ctx, srcSvc, o.index)
		if err != nil {
			return err
		}
		return a.copyFrom(ctx, eng, id, srcPath, dst, o)
	case o.index > 0:
		eng, id, err := a.cpContainer(ctx, dstSvc, o.index)
		if err != nil {
			return err
		}
		return a.copyTo(ctx, eng, id, src, dstPath, o)
	default:
		return a.copyToEvery(ctx, dstSvc, src, dstPath, o)
	}
}

// copyToEvery copies into every replica of the service (and, with --all,
// its one-off containers), as Docker Compose does without --index. A tar
// on stdin is read once and given to each.
func (a *app) copyToEvery(ctx context.Context, service, src, dst string, o cpOptions) error {
	p, eng, err := a.open(ctx, service)
	if err != nil {
		return err
	}
	filter := engine.ContainerFilter{Project: p.Name, Services: []string{service}}
	if !o.all {
		filter.OneOff = new(false)
	}
	cs, err := eng.ListContainers(ctx, filter)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return fmt.Errorf("service %q is not running", service)
	}
	var stdin []byte
	if src == "-" {
		if stdin, err = io.ReadAll(a.stdin); err != nil {
			return err
		}
	}
	for _, c := range cs {
		if src == "-" {
			a.stdin = bytes.NewReader(stdin)
		}
		if err := a.copyTo(ctx, eng, c.Name, src, dst, o); err != nil {
			return fmt.Errorf("copy to %s: %w", c.Name, err)
		}
	}
	return nil
}

// splitServicePath splits "web:/etc" into service and path; a local path
// may contain a colon only after a slash ("./a:b").
func splitServicePath(arg string) (string, string, bool) {
	svc, p, ok := strings.Cut(arg, ":")
	if !ok || svc == "" || strings.ContainsAny(svc, `/\`) || strings.HasPrefix(arg, ".") {
		return "", arg, false
	}
	return svc, p, true
}

func (a *app) cpContainer(ctx context.Context, service string, index int) (engine.Archive, string, error) {
	p, eng, err := a.open(ctx, service)
	if err != nil {
		return nil, "", err
	}
	c, err := findReplica(ctx, eng, p, service, index, false) // a one-off is not the service's
	if err != nil {
		return nil, "", err
	}
	return eng, c.Name, nil
}

// copyFrom copies the container's src to the local dst ("-": a tar on stdout).
func (a *app) copyFrom(ctx context.Context, ar engine.Archive, id, src, dst string, o cpOptions) error {
	if o.followLink {
		if st, err := ar.StatPath(ctx, id, src); err == nil && st.LinkTarget != "" {
			src = st.LinkTarget
			if !path.IsAbs(src) {
				src = path.Join(path.Dir(src), st.LinkTarget)
			}
		}
	}
	rc, _, err := ar.CopyFrom(ctx, id, src)
	if err != nil {
		return err
	}
	defer rc.Close()
	if dst == "-" {
		_, err := io.Copy(a.stdout, rc)
		return err
	}
	dir, rename := filepath.Dir(dst), filepath.Base(dst)
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		dir, rename = dst, ""
	} else if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("destination directory %q: %w", dir, err)
	}
	return untar(rc, dir, path.Base(path.Clean(src)), rename, o.archive)
}

// copyTo copies the local src ("-": a tar on stdin) into the container.
func (a *app) copyTo(ctx context.Context, ar engine.Archive, id, src, dst string, o cpOptions) error {
	if src == "-" {
		return ar.CopyTo(ctx, id, dst, a.stdin, o.archive)
	}
	stat := os.Lstat
	if o.followLink {
		stat = os.Stat
	}
	fi, err := stat(src)
	if err != nil {
		return fmt.Errorf("copy %q: %w", src, err)
	}
	dir, name := path.Dir(dst), path.Base(dst)
	if st, err := ar.StatPath(ctx, id, dst); err == nil && st.Mode.IsDir() {
		dir, name = dst, filepath.Base(src)
	} else if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarPath(pw, src, name, fi, o.followLink)) }()
	err = ar.CopyTo(ctx, id, dir, pr, o.archive)
	pr.Close()
	return err
}
