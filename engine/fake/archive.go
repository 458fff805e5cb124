package fake

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"berth/engine"
)

// The fake's filesystem is flat: files by absolute path, with directories
// implied by the files under them. That is enough for the archive calls to
// behave as the engine's do for regular files: a path is a file, a
// directory (some file lies under it) or missing.

// StatPath describes a path in the container.
func (e *Engine) StatPath(ctx context.Context, id, name string) (engine.PathStat, error) {
	c, err := e.lockContainer(ctx, "StatPath", id)
	if err != nil {
		return engine.PathStat{}, err
	}
	defer e.mu.Unlock()
	return e.statLocked(c, id, name)
}

func (e *Engine) statLocked(c *container, id, name string) (engine.PathStat, error) {
	name = path.Clean("/" + name)
	files, key := e.filesLocked(c, name)
	if data, ok := files[key]; ok {
		return engine.PathStat{Name: path.Base(name), Size: int64(len(data)), Mode: 0o644}, nil
	}
	if name == "/" || len(e.underLocked(c, name)) > 0 {
		return engine.PathStat{Name: path.Base(name), Mode: os.ModeDir | 0o755}, nil
	}
	return engine.PathStat{}, wrap("path", id+":"+name, notFound("Could not find the file %s in container %s", name, id))
}

// underLocked lists the files below dir, as absolute container paths.
func (e *Engine) underLocked(c *container, dir string) []string {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	seen := map[string]bool{}
	add := func(p string) {
		if strings.HasPrefix(p, prefix) {
			seen[p] = true
		}
	}
	for p := range c.files {
		add(p)
	}
	for _, m := range c.mounts {
		files, _ := e.filesLocked(c, m.Target)
		for p := range files {
			add(path.Join(m.Target, p))
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// CopyFrom returns a tar of the path whose one top entry is its base name.
func (e *Engine) CopyFrom(ctx context.Context, id, name string) (io.ReadCloser, engine.PathStat, error) {
	c, err := e.lockContainer(ctx, "CopyFrom", id)
	if err != nil {
		return nil, engine.PathStat{}, err
	}
	defer e.mu.Unlock()
	st, err := e.statLocked(c, id, name)
	if err != nil {
		return nil, st, err
	}
	name = path.Clean("/" + name)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	base := path.Base(name)
	if !st.Mode.IsDir() {
		files, key := e.filesLocked(c, name)
		err = writeTarFile(tw, base, files[key])
	} else {
		err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: base + "/", Mode: 0o755, ModTime: time.Unix(0, 0)})
		for _, p := range e.underLocked(c, name) {
			if err != nil {
				break
			}
			files, key := e.filesLocked(c, p)
			err = writeTarFile(tw, path.Join(base, strings.TrimPrefix(p, strings.TrimSuffix(name, "/")+"/")), files[key])
		}
	}
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return nil, st, err
	}
	return io.NopCloser(&buf), st, nil
}

func writeTarFile(tw *tar.Writer, name, data string) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: 0o644, ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := io.WriteString(tw, data)
	return err
}

// CopyTo extracts the tar's regular files into dir. Like the engine it
// refuses entries that would land outside dir.
func (e *Engine) CopyTo(ctx context.Context, id, dir string, r io.Reader, _ bool) error {
	if err := e.enter(ctx, "CopyTo", id); err != nil {
		return wrap("container", id, err)
	}
	files, err := readTar(r)
	if err != nil {
		return wrap("path", id+":"+dir, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.find(id)
	if err != nil {
		return err
	}
	dir = path.Clean("/" + dir)
	for _, f := range files {
		target := path.Join(dir, f.name)
		if target != dir && !strings.HasPrefix(target, strings.TrimSuffix(dir, "/")+"/") {
			return wrap("path", id+":"+dir, fmt.Errorf("entry %q leaves %s", f.name, dir))
		}
		fs, key := e.filesLocked(c, target)
		fs[key] = f.data
	}
	return nil
}

type tarFile struct{ name, data string }

func readTar(r io.Reader) ([]tarFile, error) {
	var out []tarFile
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		out = append(out, tarFile{name: hdr.Name, data: string(b)})
	}
}
