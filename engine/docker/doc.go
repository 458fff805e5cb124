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
package docker
