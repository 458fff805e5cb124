package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports the paths that change under its roots. A root is a
// directory (watched recursively: a directory created later is watched as
// it appears, and what it already holds is reported) or a single file
// (its parent directory is watched, so an editor that saves by writing a
// new file and renaming it over the old one is still seen). Noise paths
// are never reported; a chmod alone is not a change.
type Watcher struct {
	fs      *fsnotify.Watcher
	dirs    []string        // recursive roots
	files   map[string]bool // single-file roots
	changes chan string
	errs    chan error
	done    chan struct{}
	stop    chan struct{} // closed by Close: a send no one reads gives up
	once    sync.Once
}

// NewWatcher starts watching roots, which must exist: a missing root is an
// error naming it.
func NewWatcher(roots []string) (*Watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &Watcher{fs: fsw, files: map[string]bool{}, changes: make(chan string, 1024),
		errs: make(chan error, 16), done: make(chan struct{}), stop: make(chan struct{})}
	for _, root := range roots {
		if err := w.addRoot(filepath.Clean(root)); err != nil {
			fsw.Close()
			return nil, err
		}
	}
	go w.loop()
	return w, nil
}

// Changes are the changed paths (absolute when the roots are), in the
// order the kernel reported them. It closes after Close.
func (w *Watcher) Changes() <-chan string { return w.changes }

// Errors are the watch's failures (an overflowed kernel queue, a directory
// that could not be watched); the watch goes on.
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops the watch.
func (w *Watcher) Close() error {
	var err error
	w.once.Do(func() {
		close(w.stop)
		err = w.fs.Close()
		<-w.done
	})
	return err
}

func (w *Watcher) addRoot(root string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("watch %s: %w", root, err)
	}
	if !fi.IsDir() {
		w.files[root] = true
		return w.fs.Add(filepath.Dir(root))
	}
	w.dirs = append(w.dirs, root)
	return w.addTree(root, nil)
}

// addTree watches dir and every directory under it that is not noise;
// found, when not nil, receives every path already there (a directory that
// appeared holds files created before its watch was in place).
func (w *Watcher) addTree(dir string, found func(string)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while we walked: its removal is an event
			}
			return err
		}
		if p != dir && noiseName(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if found != nil && p != dir {
			found(p)
		}
		if !d.IsDir() {
			return nil
		}
		if err := w.fs.Add(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		return nil
	})
}

func (w *Watcher) loop() {
	defer close(w.done)
	defer close(w.changes)
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.report(err)
		}
	}
}

func (w *Watcher) handle(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod || !w.wanted(ev.Name) || Noise(ev.Name) {
		return
	}
	w.send(ev.Name)
	if !ev.Has(fsnotify.Create) || w.files[ev.Name] {
		return
	}
	if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
		if err := w.addTree(ev.Name, w.send); err != nil {
			w.report(err)
		}
	}
}

// wanted says whether path is under a recursive root or is a file root.
func (w *Watcher) wanted(path string) bool {
	if w.files[path] {
		return true
	}
	for _, d := range w.dirs {
		if path == d || strings.HasPrefix(path, d+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func (w *Watcher) send(path string) {
	select {
	case w.changes <- path:
	case <-w.stop:
	}
}

func (w *Watcher) report(err error) {
	select {
	case w.errs <- err:
	default: // nobody reads errors fast enough: the watch goes on
	}
}
