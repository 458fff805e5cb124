package imagebuild

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// epoch is the time every entry carries: identical contexts give identical
// tars, whenever and wherever they were checked out.
var epoch = time.Unix(0, 0)

// writeContext writes the context as a tar: generated files first, then the
// context's own entries in lexical order, each with zeroed owner and time.
// It never follows a symlink: links are sent as links.
func writeContext(w io.Writer, s contextSpec) error {
	tw := tar.NewWriter(w)
	if s.inline != nil {
		if err := writeBytes(tw, InlineDockerfile, s.inline); err != nil {
			return err
		}
	}
	if s.ignoreFile != nil {
		if err := writeBytes(tw, dockerignore, s.ignoreFile); err != nil {
			return err
		}
	}
	err := filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return s.visit(tw, path, d)
	})
	if err != nil {
		return fmt.Errorf("build context %q: %w", s.root, err)
	}
	return tw.Close()
}

// visit sends one walked entry unless it is ignored or generated.
func (s contextSpec) visit(tw *tar.Writer, path string, d fs.DirEntry) error {
	if path == s.root {
		return nil
	}
	rel, err := filepath.Rel(s.root, path)
	if err != nil {
		return err
	}
	rel = filepath.ToSlash(rel)
	if s.generated(rel) {
		return nil
	}
	ignored, err := s.matcher.MatchesOrParentMatches(rel)
	if err != nil {
		return fmt.Errorf("%s: %w", dockerignore, err)
	}
	if ignored && !s.keepPath(rel) {
		if d.IsDir() && !s.mayReinclude(rel) {
			return filepath.SkipDir
		}
		return nil
	}
	return writeEntry(tw, path, rel, d)
}

// generated reports entries of the context that a generated file replaces.
func (s contextSpec) generated(rel string) bool {
	return (s.inline != nil && rel == InlineDockerfile) || (s.ignoreFile != nil && rel == dockerignore)
}

// writeEntry writes a directory, a symlink or a regular file with its mode;
// sockets, devices and pipes have no place in a build context.
func writeEntry(tw *tar.Writer, path, rel string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	case fi.IsDir(), fi.Mode().IsRegular():
	default:
		return nil
	}
	h, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	normalize(h, rel)
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if h.Typeflag != tar.TypeReg {
		return nil
	}
	return copyFile(tw, path, fi)
}

// normalize keeps name, type, mode, size and link target, and drops what
// differs between checkouts (owner, times).
func normalize(h *tar.Header, rel string) {
	h.Name = rel
	if h.Typeflag == tar.TypeDir {
		h.Name += "/"
	}
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	h.ModTime, h.AccessTime, h.ChangeTime = epoch, time.Time{}, time.Time{}
	h.Format = tar.FormatPAX
	h.PAXRecords = nil
}

// copyFile copies exactly the size the header announced, from the very file
// that was walked (not whatever a racing rename put in its place).
func copyFile(w io.Writer, path string, walked fs.FileInfo) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil {
		return err
	}
	if !os.SameFile(walked, opened) {
		return fmt.Errorf("%q changed while it was sent", path)
	}
	if _, err := io.CopyN(w, f, walked.Size()); err != nil {
		return fmt.Errorf("%q: %w", path, err)
	}
	return nil
}

// writeBytes writes a generated regular file.
func writeBytes(tw *tar.Writer, name string, data []byte) error {
	h := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data))}
	normalize(h, name)
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}
