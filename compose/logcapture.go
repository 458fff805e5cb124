package compose

import (
	"sync"

	"github.com/sirupsen/logrus"
)

// compose-go prints some messages itself, through logrus, while it loads
// (`The "TAG" variable is not set`, and, only while validating, "the
// attribute `version` is obsolete"). A load that skips validation must say
// what a validating one says, so a load that logged anything is not
// remembered as validated.

// logMu keeps an observation from seeing what another load in this process
// logs meanwhile.
var logMu sync.Mutex

// counter is a logrus hook that counts messages; it prints nothing itself.
type counter struct{ n int }

func (c *counter) Levels() []logrus.Level { return logrus.AllLevels }

func (c *counter) Fire(*logrus.Entry) error {
	c.n++
	return nil
}

// observingLogs runs load and tells whether it logged anything through
// logrus's standard logger.
func observingLogs(load func() error) (logged bool, err error) {
	logMu.Lock()
	defer logMu.Unlock()
	std := logrus.StandardLogger()
	c := &counter{}
	hooks := logrus.LevelHooks{}
	for level, hs := range std.Hooks {
		hooks[level] = append([]logrus.Hook(nil), hs...)
	}
	hooks.Add(c)
	old := std.ReplaceHooks(hooks)
	defer std.ReplaceHooks(old)
	err = load()
	return c.n > 0, err
}
