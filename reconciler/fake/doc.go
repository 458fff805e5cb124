// Package fake is an in-memory reconciler.Engine with the behaviour of a real
// one: unique names, labels, state transitions, exit codes, health a test can
// drive, restart policies recorded, events in the engine's order. It passes the
// same enginetest contract suite as the Docker adapter, so tests of Apply and
// Supervise that use it mean something.
package fake
