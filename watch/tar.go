package watch

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// payload is one sync action's batch, read from disk once: the tar every
// replica receives and the container paths to delete.
type payload struct {
	tar     []byte   // nil when nothing is to be copied
	lean    []byte   // tar without the directories its files imply; nil when that is tar
	copied  int      // files in the tar (directories are not counted)
	deletes []string // container paths whose host path is gone
	refused []refusal
}

// refusal is a host file that is not sent, and why.
type refusal struct {
	file string
	err  error
}

// member is one tar entry: its header and content.
type member struct {
	h    *tar.Header
	body []byte
}

// readPayload reads the action's files now. The tar's entries are named by
// their container path (relative to /, extracted at /), so nothing lands
// outside the rule's target: every name is Target joined with a path below
// the rule's path. A file that is gone by the time it is read is deleted
// in the container; a symlink that points outside the rule's path is
// refused, since its target would reach the container through the sync.
func readPayload(r Rule, files []File) (payload, error) {
	var pl payload
	var members []member
	for _, f := range files {
		h, body, err := entry(r, f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			pl.deletes = append(pl.deletes, f.Container)
			continue
		case errors.Is(err, errOutside):
			pl.refused = append(pl.refused, refusal{file: f.Host, err: err})
			continue
		case err != nil:
			return pl, fmt.Errorf("%s: %w", f.Host, err)
		}
		members = append(members, member{h, body})
		if h.Typeflag != tar.TypeDir {
			pl.copied++
		}
	}
	if len(members) == 0 {
		return pl, nil
	}
	var err error
	if pl.tar, err = writeTar(members); err != nil {
		return pl, err
	}
	if lean := withoutImpliedDirs(members); len(lean) < len(members) {
		pl.lean, err = writeTar(lean)
	}
	return pl, err
}

func writeTar(members []member) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		if err := tw.WriteHeader(m.h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(m.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// withoutImpliedDirs drops the directory entries that other entries lie
// in: extracting a file creates its directories anyway. The full tar is
// sent first, since its headers carry the host's modes; this one is the
// retry when the engine refuses a directory header because the container
// has a symlink at that path ("cannot overwrite non-directory"), so the
// files go through the symlink as they would on the host.
func withoutImpliedDirs(members []member) []member {
	parents := map[string]bool{}
	for _, m := range members {
		parents[path.Dir(strings.TrimSuffix(m.h.Name, "/"))] = true
	}
	var kept []member
	for _, m := range members {
		if m.h.Typeflag == tar.TypeDir && parents[strings.TrimSuffix(m.h.Name, "/")] {
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

var errOutside = errors.New("symlink points outside the watched path: refused")

// entry is f's tar header and content. The content is read whole before
// the header is written, so a file that changes size while it is read
// still makes a valid tar (the next batch brings the rest).
func entry(r Rule, f File) (*tar.Header, []byte, error) {
	fi, err := os.Lstat(f.Host)
	if err != nil {
		return nil, nil, err
	}
	name := strings.TrimPrefix(f.Container, "/")
	h := &tar.Header{Name: name, Mode: int64(fi.Mode().Perm()), ModTime: fi.ModTime().Truncate(time.Second)}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(f.Host)
		if err != nil {
			return nil, nil, err
		}
		if !inside(r.Path, resolveLink(f.Host, link)) {
			return nil, nil, fmt.Errorf("%w (-> %s)", errOutside, link)
		}
		h.Typeflag, h.Linkname = tar.TypeSymlink, link
		return h, nil, nil
	case fi.IsDir():
		h.Typeflag, h.Name = tar.TypeDir, name+"/"
		return h, nil, nil
	case fi.Mode().IsRegular():
		body, err := os.ReadFile(f.Host)
		if err != nil {
			return nil, nil, err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(body))
		return h, body, nil
	}
	return nil, nil, fmt.Errorf("not a regular file, directory or symlink (%s): not synced", fi.Mode().Type())
}

// resolveLink is where a symlink at host points, as far as the host can
// tell: the link's text made absolute, and every symlink on the way
// resolved when it exists.
func resolveLink(host, link string) string {
	target := link
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(host), target)
	}
	if resolved, err := filepath.EvalSymlinks(target); err == nil {
		return resolved
	}
	return filepath.Clean(target)
}

func inside(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}
