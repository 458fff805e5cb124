// Package docker is berth's one adapter to a real Docker Engine. It implements
// reconciler.Engine on the moby client with API version negotiation, finds the
// endpoint through DOCKER_HOST or the current Docker context, and falls back
// where an API 1.41 engine lacks a newer call (one network at create, the rest
// connected before start).
package docker
