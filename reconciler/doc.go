// Package reconciler brings the engine to what the project describes.
//
// Observe takes one snapshot of the project's containers, networks and volumes
// (found only by the com.docker.compose.project label). NewPlan is pure: the
// desired project and the observed state give a DAG of actions, each one engine
// call with the reason it is needed. Apply walks the DAG in parallel, gating
// each action only on the actions it needs and waiting on engine events, never
// on sleeps. Supervise follows an attached project: logs, restarts the engine
// makes under its restart policy, exits. Attached up (AttachedUp) is up
// whose plan attaches to each container before starting it, then supervises
// it; Ctrl-C stops it through the same stop plan and Apply as `stop`.
//
// It speaks to the engine only through the engine package's contract;
// progress goes out as events, and rendering is left to cmd/berth.
package reconciler
