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
	OpRemoveNetwork: {"Network", "Removing", "Removed"},
	OpRemoveVolume:  {"Volume", "Removing", "Removed"},
	OpRemoveImage:   {"Image", "Removing", "Removed"},
	OpPreStart:      {"Container", "Running pre_start hooks", "pre_start hooks done"},
	OpPostStart:     {"Container", "Running post_start hooks", "post_start hooks done"},
	OpPreStop:       {"Container", "Running pre_stop hooks", "pre_stop hooks done"},
}

// event reports an action beginning (done false) or ending. The stop and
// remove of a container being replaced stay silent: Docker Compose shows a
// replacement as "Recreate" then "Recreated"; so does an attach, unless it
// fails.
func (a *applier) event(act Action, done bool, err error) {
	w := words[act.Op]
	if act.Recreate && (act.Op == OpStop || act.Op == OpRemove) && err == nil {
		return
	}
	if act.Op == OpAttach && err == nil { // the output itself shows it
		return
	}
	if act.Recreate && act.Op == OpCreate {
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
