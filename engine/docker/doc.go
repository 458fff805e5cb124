// Package docker is berth's one adapter to a real Docker Engine. It implements
// engine.Engine on the moby client: New finds the endpoint (DOCKER_HOST,
// else the current Docker context, else the local socket), pings the engine
// once and keeps the negotiated API version for every later call.
//
// translate.go and hostconfig.go turn a ContainerSpec into the create call
// without touching the engine; the spec comes fully resolved, so they map
// fields and decide nothing. Engine errors keep the engine's words,
// prefixed with the resource, and match engine.ErrNotFound or ErrExists.
//
// # Features by API version
//
// What an engine can do is read from the negotiated API version
// (engine.Feature); a spec asking for a feature the engine lacks is
// refused, naming it, instead of being sent to an engine that would drop
// the field (the reconciler refuses or warns earlier, per service and key):
//   - 1.44 (Engine 25): every network in the create call; before, the
//     create joins the first network and the others are connected before
//     CreateContainer returns. Per-network mac_address and healthcheck
//     start_interval.
//   - 1.45 (26): volume subpath. 1.48 (28): type: image mounts (with
//     their subpath) and gw_priority.
//
// # Workarounds for Engine 20.10, and whether newer engines need them
//
// Each was checked on the pinned modern engine (moby v2, API 1.56) with the
// contract suite, and is applied only below the version that made it moot:
//   - Duplicate network names (before 1.44): the engine accepts a second
//     network of a name, so creators in this process take turns, a creator
//     in another process is caught afterwards (the oldest network stays,
//     the loser removes its own and reports ErrExists), an "ambiguous"
//     inspect answers with the oldest, ListNetworks reports a name once
//     (the oldest, the others as its Duplicates, which up removes), and
//     containers join the survivor by ID (networkIDs). From 1.44 the engine refuses the duplicate itself
//     ("network with name … already exists"): NetworkCreateTwiceExists and
//     NetworkEnsureRace pass with a plain create, nothing is pinned.
//   - Phantom endpoints (before 1.42, Engine 23): a stop returned before
//     the engine released the container's endpoints, so a network removed
//     in between kept one ("has active endpoints"); down awaits the
//     disconnect events first. Later engines release them before they mark
//     the container stopped (FeatureStopReleasesEndpoints): down removes
//     at once.
//   - mac_address (before 1.44): the engine reads the MAC only from the
//     container config, a field the client's types no longer have, so
//     legacy.go sends that create itself. From 1.44 it goes on the endpoint;
//     from 1.52 the engine refuses the container-level field outright.
//   - Starts that publish host ports were serialized by the reconciler
//     ("engines race on them"). Neither engine does: containers started at
//     once on one host port range each get a port of their own on both
//     (PortRangeConcurrentStarts), so they now start in parallel.
//
// # Other differences berth relies on (Engine 20.10 and Engine 29)
//
//   - Events: a policy restart is die → start with no restart event, on
//     both. After a stop, stop and die arrive in either order: the stop
//     call sends stop once it sees the container not running, the exit
//     handler sends die after marking it so. 20.10 mostly sends die first,
//     29 often stop first. Callers must not depend on the order (the
//     reconciler does not).
//   - The container list lags the exit a waiter is told about (the engine
//     wakes waiters before it records the exit for the list). WaitContainer
//     inspects before it reports the code, which waits for that record, so
//     a list after it shows the exit. 29 showed "Up" in a list right after
//     the wait; 20.10 rarely.
//   - Health: on API 1.41 a list tells health only in the status words
//     ("Up 3 seconds (healthy)"); from 1.52 the list carries it outright
//     (summary.go reads both). health_status events are the same.
//   - A create of a name reserves it before the container exists; on 29
//     (containerd image store) the window is hundreds of milliseconds, in
//     which a second create conflicts but an inspect of the name finds
//     nothing. CreateContainer waits until the name answers (or is freed
//     and retried) before it reports ErrExists, so a caller adopting the
//     other run's container finds it.
//   - Error texts: a create on a missing network succeeds on both (the
//     engine looks networks up at start) and the start fails with "network
//     … not found" (ErrNotFound); the contract takes either step. A port
//     taken by another container fails the start with "port is already
//     allocated" on both, leaving the container created. A second network
//     of one name: "network with name … already exists" from 1.44, the
//     same words the adapter gives before.
//   - Ports: 29 needs its own docker-proxy (Debian's older one fails every
//     published port with "failed to start docker-proxy").
package docker
