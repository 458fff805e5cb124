// Package watch is berth's development loop: it turns the services'
// develop.watch rules and the file system's events into actions on the
// running stack.
//
// The flow is Watcher (a recursive inotify watch, fsnotify, that follows new
// directories and survives editors' write-rename saves) → Batcher (bursts
// become one batch; the quiet period adapts to the burst and ends early when
// it is over) → Plan (pure: which rule each changed path meets, what each
// service needs) → Session.Apply (one tar per batch per container through the
// engine's archive API, deletes, restarts, execs; rebuilds go through the
// reconciler's normal up plan, so the plan says "image changed").
//
// Noise never reaches a batch: editor temp and swap files, version control
// directories (see noise.go for the list and why each is there). Every
// outcome is a Report; cmd/berth renders it.
package watch
