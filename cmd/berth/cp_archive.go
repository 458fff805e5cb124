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
	"slices"
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
// when set, replaces that name. With owners, files keep the tar's uid and
// gid.
//
// The tar comes from a container, so it is not trusted: nothing may land
// outside dir. Entry names and hard link targets that are absolute or climb
// with ".." are refused, and every file operation goes through an os.Root
// on dir, which refuses a path that leaves it by following a symlink, also
// one this same tar created a moment earlier (top/l -> /etc, then
// top/l/passwd). Symlinks themselves are kept as they are, wherever they
// point: they are data, and extraction never follows them out.
func untar(r io.Reader, dir, top, rename string, owners bool) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := extract(root, tr, h, top, rename); err != nil {
			return fmt.Errorf("tar entry %q: %w", h.Name, err)
		}
		if owners {
			_ = root.Lchown(entryName(h.Name, top, rename), h.Uid, h.Gid) // only root may give files away
		}
	}
}

// errOutside refuses an entry that would land outside the destination.
var errOutside = errors.New("outside the destination")

// localName is the entry's path under the destination, or errOutside for
// an absolute name or one with a ".." element.
func localName(name, top, rename string) (string, error) {
	if path.IsAbs(name) || slices.Contains(strings.Split(name, "/"), "..") {
		return "", errOutside
	}
	return entryName(name, top, rename), nil
}

// entryName maps a checked entry name to its path under the destination:
// cleaned, and with the top entry renamed.
func entryName(name, top, rename string) string {
	name = path.Clean(name)
	if rename != "" && (name == top || strings.HasPrefix(name, top+"/")) {
		name = rename + strings.TrimPrefix(name, top)
	}
	return filepath.FromSlash(name)
}

// extract writes one entry through root. A file, link or symlink replaces
// what is at its path unless that is a directory; its parent directories
// are made when the tar has no entries for them.
func extract(root *os.Root, tr *tar.Reader, h *tar.Header, top, rename string) error {
	name, err := localName(h.Name, top, rename)
	if err != nil {
		return err
	}
	mode := fs.FileMode(h.Mode).Perm()
	if h.Typeflag == tar.TypeDir {
		if err := root.MkdirAll(name, 0o755); err != nil {
			return err
		}
		return root.Chmod(name, mode)
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeSymlink, tar.TypeLink:
		if err := replaceable(root, name); err != nil {
			return err
		}
	default:
		return nil // devices and fifos are left out
	}
	switch h.Typeflag {
	case tar.TypeSymlink:
		return root.Symlink(h.Linkname, name)
	case tar.TypeLink:
		old, err := localName(h.Linkname, top, rename)
		if err != nil {
			return fmt.Errorf("hard link to %q: %w", h.Linkname, err)
		}
		return root.Link(old, name)
	}
	f, err := root.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, tr); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// replaceable makes name's parent directories and removes what is at name
// (a file or symlink; a directory is an error), so that the entry is
// created afresh rather than written through an old symlink.
func replaceable(root *os.Root, name string) error {
	if dir := filepath.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	fi, err := root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", name)
	}
	return root.Remove(name)
}
