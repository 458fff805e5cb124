package registry

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// PullLog remembers when berth last pulled each reference, for the timed
// pull policies (daily, weekly, every_<duration>). The engine cannot say:
// Docker Engine 20.10 leaves an image's LastTagTime unset after a pull and
// sets it only on `docker tag`. The log is a small JSON file of references
// and times under the user's cache directory; it holds no credentials, and
// losing it only makes the next timed policy pull once more.
type PullLog struct {
	path string
	mu   sync.Mutex
}

// NewPullLog is the log in dir (the user cache dir's berth/ when "").
func NewPullLog(dir string) *PullLog {
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = filepath.Join(cache, "berth")
	}
	return &PullLog{path: filepath.Join(dir, "pulls.json")}
}

// Times are the recorded pulls by reference; an unreadable log is empty.
func (l *PullLog) Times() map[string]time.Time {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.read()
}

func (l *PullLog) read() map[string]time.Time {
	times := map[string]time.Time{}
	b, err := os.ReadFile(l.path)
	if err == nil {
		_ = json.Unmarshal(b, &times) // a damaged log is an empty one
	}
	return times
}

// Record notes that ref was pulled at t. It writes a new file and renames
// it over the old one, so a reader never sees half a log.
func (l *PullLog) Record(ref string, t time.Time) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	times := l.read()
	times[ref] = t.UTC()
	b, _ := json.Marshal(times) // strings and times: cannot fail
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(l.path), "pulls-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), l.path)
}
