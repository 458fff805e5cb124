package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// tarPath writes src (a file, link or directory tree) as a tar whose top
// entry is named name.
func tarPath(w io.Writer, src, name string, top fs.FileInfo, follow bool) error {
	tw := tar.NewWriter(w)
	if !top.IsDir() {
		if err := tarEntry(tw, src, name, top); err != nil {
			return err
		}
		return tw.Close()
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if p == src {
			fi = top
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return tarEntry(tw, p, path.Join(name, filepath.ToSlash(rel)), fi)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func tarEntry(tw *tar.Writer, p, name string, fi fs.FileInfo) error {
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	h, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	h.Name = name
	if fi.IsDir() {
		h.Name += "/"
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// untar extracts r into dir. The tar's top entry is named top; rename,
// when set, replaces that name. Entries that would land outside dir are
// refused. With owners, files keep the tar's uid and gid.
func untar(r io.Reader, dir, top, rename string, owners bool) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(h.Name)
		if rename != "" && (name == top || strings.HasPrefix(name, top+"/")) {
			name = rename + strings.TrimPrefix(name, top)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) && target != filepath.Clean(dir) {
			return fmt.Errorf("tar entry %q: outside the destination", h.Name)
		}
		if err := extract(tr, h, target); err != nil {
			return err
		}
		if owners {
			_ = os.Lchown(target, h.Uid, h.Gid) // only root may give files away
		}
	}
}

func extract(tr *tar.Reader, h *tar.Header, target string) error {
	mode := fs.FileMode(h.Mode).Perm()
	switch h.Typeflag {
	case tar.TypeDir:
		if err := os.MkdirAll(target, 0o755); err != nil {
			return err
		}
		return os.Chmod(target, mode)
	case tar.TypeReg:
		f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case tar.TypeSymlink:
		_ = os.Remove(target)
		return os.Symlink(h.Linkname, target)
	}
	return nil // devices, fifos and hard links are left out
}
