package reconciler

// wording is how Docker Compose words an operation's progress: the kind of
// resource, the status while it runs and once it is done.
type wording struct{ kind, working, done string }

var words = map[Op]wording{
	OpCreateNetwork: {"Network", "Creating", "Created"},
	OpCreateVolume:  {"Volume", "Creating", "Created"},
	OpBuild:         {"Image", "Building", "Built"},
	OpCreate:        {"Container", "Creating", "Created"},
	OpStart:         {"Container", "Starting", "Started"},
	OpAttach:        {"Container", "Attaching", "Attached"},
	OpWaitHealthy:   {"Container", "Waiting", "Healthy"},
	OpWaitExit:      {"Container", "Waiting", "Exited"},
	OpStop:          {"Container", "Stopping", "Stopped"},
	OpRemove:        {"Container", "Removing", "Removed"},
	OpRename:        {"Container", "Renaming", "Renamed"},
	OpRemoveNetwork: {"Network", "Removing", "Removed"},
	OpRemoveVolume:  {"Volume", "Removing", "Removed"},
	OpRemoveImage:   {"Image", "Removing", "Removed"},
	OpPreStart:      {"Container", "Running pre_start hooks", "pre_start hooks done"},
	OpPostStart:     {"Container", "Running post_start hooks", "post_start hooks done"},
	OpPreStop:       {"Container", "Running pre_stop hooks", "pre_stop hooks done"},
	OpProviderUp:    {"Provider", "Creating", "Created"},
	OpProviderStop:  {"Provider", "Stopping", "Stopped"},
	OpProviderDown:  {"Provider", "Removing", "Removed"},
}

// event reports an action beginning (done false) or ending. Docker Compose
// shows a replacement as "Recreate" then "Recreated": the create of the
// replacement says "Recreate" when it begins, its rename "Recreated" when it
// ends, and the stop and remove of the old container stay silent, unless
// one fails. An attach, a connect and a disconnect are silent too.
func (a *applier) event(act Action, done bool, err error) {
	w := words[act.Op]
	if err == nil && act.Recreate && recreateSilent(act.Op, done) {
		return
	}
	if (act.Op == OpAttach || act.Op == OpConnect || act.Op == OpDisconnect) && err == nil {
		return // the output shows an attach; a move between networks shows as the network's recreate
	}
	if act.Recreate && (act.Op == OpCreate || act.Op == OpRename) {
		w.working, w.done = "Recreate", "Recreated"
	}
	e := ProgressEvent{Kind: w.kind, Name: act.Target, Service: act.Service, Status: w.working, Done: done, Reason: act.Reason, Err: err}
	if done {
		e.Status = w.done
	}
	if err != nil {
		e.Status = "Error"
	}
	a.progress.Event(e)
}

// recreateSilent says which steps of a recreate show no progress.
func recreateSilent(op Op, done bool) bool {
	switch op {
	case OpStop, OpRemove:
		return true
	case OpCreate:
		return done
	case OpRename:
		return !done
	}
	return false
}
