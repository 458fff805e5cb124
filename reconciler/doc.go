// Package reconciler brings the engine to what the project describes.
//
// Observe resolves each service once (plan_desired.go: its config hash, field
// digests, secrets and configs, networks and the container it is created
// from) and takes one snapshot of what that resolution names: the project's
// containers, networks and volumes (found only by the
// com.docker.compose.project label), external resources and files. NewPlan is
// pure: the resolved project and the observed state give a DAG of actions,
// each one engine call with the reason it is needed. Apply walks the DAG in parallel, gating
// each action only on the actions it needs and waiting on engine events, never
// on sleeps. Supervise follows an attached project: logs, restarts the engine
// makes under its restart policy, exits. Attached up (AttachedUp) is up
// whose plan attaches to each container before starting it, then supervises
// it; Ctrl-C stops it through the same stop plan and Apply as `stop`.
//
// It speaks to the engine only through the engine package's contract;
// progress goes out as events, and rendering is left to cmd/berth.
package reconciler
