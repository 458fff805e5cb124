package watch

import (
	"context"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/reconciler"
)

// Session carries out the actions of a project's watch rules on an engine.
type Session struct {
	Engine  engine.Engine
	Project *types.Project
	Rules   []Rule
	// Up are the options a rebuild's up runs with (its InjectKey, its
	// timeout); Services, NoDeps and Build are the watch's.
	Up    reconciler.UpOptions
	Apply reconciler.ApplyOptions
	// Progress shows the plans a rebuild or restart applies; nil: quiet.
	Progress reconciler.Progress
	Batcher  Batcher
	Prune    bool // remove the image a rebuild replaced once it is dangling
	// Report receives one report per action and container, and every
	// error; it must not block for long.
	Report func(Report)

	replicas replicas
}

// Report is the outcome of one action.
type Report struct {
	Service string
	Rule    Rule
	// Verb is what happened: "synced", "deleted", "restarted", "rebuilt",
	// "executed", or "" for an error or a note.
	Verb    string
	Count   int    // files synced or deleted
	Target  string // where they went
	Elapsed time.Duration
	File    string // the host file an error concerns
	Note    string // a fact worth a line: "container web-2 is gone, skipped"
	Err     error
}

// Start begins watching the rules' paths (a path missing now is an
// error) and returns the watcher for Loop, so a caller can sync initially
// once the watch is in place and miss no change made in between.
func (s *Session) Start() (*Watcher, error) { return NewWatcher(Roots(s.Rules)) }

// Loop applies w's batches until ctx ends; it closes w. Failures are
// reports, and the watch goes on.
func (s *Session) Loop(ctx context.Context, w *Watcher) error {
	defer w.Close()
	s.replicas.Follow(ctx, s.Engine, s.Project.Name)
	return s.watch(ctx, w)
}

func (s *Session) watch(ctx context.Context, w *Watcher) error {
	b := s.Batcher
	if b.MinQuiet == 0 {
		b = DefaultBatcher
	}
	batches := b.Run(ctx, w.Changes())
	for {
		select {
		case batch, ok := <-batches:
			if !ok {
				return nil
			}
			s.ApplyBatch(ctx, batch)
		case err := <-w.Errors():
			s.report(Report{Err: err})
		case <-ctx.Done():
			return nil
		}
	}
}

// ApplyBatch plans a batch and carries out its actions in order.
func (s *Session) ApplyBatch(ctx context.Context, batch []string) {
	for _, a := range Plan(s.Rules, batch) {
		if ctx.Err() != nil {
			return
		}
		s.apply(ctx, a)
	}
}

func (s *Session) apply(ctx context.Context, a Action) {
	switch a.Rule.Action {
	case types.WatchActionSync:
		s.sync(ctx, a)
	case types.WatchActionSyncRestart:
		if s.sync(ctx, a) {
			s.restart(ctx, a.Rule)
		}
	case types.WatchActionSyncExec:
		if s.sync(ctx, a) {
			s.exec(ctx, a.Rule)
		}
	case types.WatchActionRestart:
		s.restart(ctx, a.Rule)
	case types.WatchActionRebuild:
		s.rebuild(ctx, a.Rule)
	}
}

func (s *Session) report(r Report) {
	if s.Report != nil {
		s.Report(r)
	}
}

// running are the service's running replicas.
func (s *Session) running(ctx context.Context, service string) ([]engine.Container, error) {
	if cs, ok := s.replicas.Get(service); ok {
		return cs, nil
	}
	oneOff := false
	all, err := s.Engine.ListContainers(ctx, engine.ContainerFilter{Project: s.Project.Name, Services: []string{service}, OneOff: &oneOff})
	if err != nil {
		return nil, err
	}
	var up []engine.Container
	for _, c := range all {
		if c.State == engine.StateRunning {
			up = append(up, c)
		}
	}
	s.replicas.Put(service, up)
	return up, nil
}

// InitialSync copies, for every sync rule with initial_sync, everything
// its path holds that the rule takes into the running replicas, so the
// containers start from the host's files. Call it once the watch is in
// place (Start), so a change made meanwhile is synced again, not lost.
func (s *Session) InitialSync(ctx context.Context) {
	for _, r := range s.Rules {
		if !r.InitialSync || !r.Syncs() {
			continue
		}
		a, ok := planRule(r, walk(r.Path))
		if ok {
			s.sync(ctx, a)
		}
	}
}

// walk lists every path under root (root itself when it is a file),
// without descending into noise directories.
func walk(root string) []string {
	var paths []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // gone while walked: nothing to send
		}
		if p != root && d.IsDir() && noiseName(d.Name()) {
			return filepath.SkipDir
		}
		paths = append(paths, p)
		return nil
	})
	return paths
}
