package compose

import (
	"sync"

	"github.com/sirupsen/logrus"
)

// compose-go prints some warnings itself, through logrus, while it loads
// (`The "TAG" variable is not set. Defaulting to a blank string.`). A cache
// entry keeps them and a hit prints them again, so a cached load says what
// a fresh one says.

// logLine is one message compose-go logged.
type logLine struct {
	Level uint32
	Msg   string
}

// logMu keeps a capture from seeing what another load in this process logs
// (or replays) meanwhile.
var logMu sync.Mutex

// capture is a logrus hook that records messages; a message it could not
// print again the same way (with fields, or a panic/fatal level) makes
// replayable false.
type capture struct {
	lines      []logLine
	replayable bool
}

func (c *capture) Levels() []logrus.Level { return logrus.AllLevels }

func (c *capture) Fire(e *logrus.Entry) error {
	if len(e.Data) > 0 || e.Level < logrus.ErrorLevel {
		c.replayable = false
	}
	c.lines = append(c.lines, logLine{Level: uint32(e.Level), Msg: e.Message})
	return nil
}

// capturingLogs runs load while recording what is logged through logrus's
// standard logger; ok is false when the messages cannot be replayed.
func capturingLogs(load func() error) (lines []logLine, ok bool, err error) {
	logMu.Lock()
	defer logMu.Unlock()
	std := logrus.StandardLogger()
	c := &capture{replayable: true}
	hooks := logrus.LevelHooks{}
	for level, hs := range std.Hooks {
		hooks[level] = append([]logrus.Hook(nil), hs...)
	}
	hooks.Add(c)
	old := std.ReplaceHooks(hooks)
	defer std.ReplaceHooks(old)
	err = load()
	return c.lines, c.replayable, err
}

// replayLogs prints recorded messages as compose-go printed them.
func replayLogs(lines []logLine) {
	logMu.Lock()
	defer logMu.Unlock()
	for _, l := range lines {
		logrus.StandardLogger().Log(logrus.Level(l.Level), l.Msg)
	}
}
