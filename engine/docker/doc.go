// Package docker is berth's one adapter to a real Docker Engine. It implements
// engine.Engine on the moby client: New finds the endpoint (DOCKER_HOST,
// else the current Docker context, else the local socket), pings the engine
// once and keeps the negotiated API version for every later call.
//
// translate.go and hostconfig.go turn a ContainerSpec into the create call
// without touching the engine; the spec comes fully resolved, so they map
// fields and decide nothing. Where an API 1.41 engine (Engine 20.10) lacks
// what newer ones do, the adapter fills in: it creates on one network and
// connects the rest before CreateContainer returns, settles racing creators
// of one network name on the oldest network, and sends mac_address in the
// container config itself (legacy.go). Engine errors keep the engine's words,
// prefixed with the resource, and match engine.ErrNotFound or ErrExists.
//
// # Engine 20.10 and Engine 29 (moby v2, API 1.56)
//
// The contract suite runs on both (TestContract on the machine's engine,
// TestContractModern on internal/testengine's private one). Differences seen
// there, and what the adapter does about them:
//   - stop and die arrive in either order after a stop: the stop call sends
//     stop once it sees the container not running, the exit handler sends
//     die after marking it so. 20.10 mostly sends die first, 29 often stop
//     first. Callers must not depend on the order (the reconciler does not).
//   - The container list lags the exit a waiter is told about (the engine
//     wakes waiters before it records the exit for the list). WaitContainer
//     inspects before it reports the code, which waits for that record, so
//     a list after it shows the exit. 29 showed "Up" in a list right after
//     the wait; 20.10 rarely.
//   - A create of a name reserves it before the container exists; on 29
//     (containerd image store) the window is hundreds of milliseconds, in
//     which a second create conflicts but an inspect of the name finds
//     nothing. CreateContainer waits until the name answers (or is freed
//     and retried) before it reports ErrExists, so a caller adopting the
//     other run's container finds it.
package docker
