// Package registry holds what berth knows about images in registries
// without talking to an engine: references (tags, digests, Docker Hub's
// docker.io/library/ normalization, hosts with ports), pull policies and
// when they call for a pull, and registry credentials found the way the
// docker CLI finds them (DOCKER_CONFIG or ~/.docker/config.json: auths,
// credsStore, credHelpers and the docker-credential-* helpers, read with
// the docker CLI's own config packages). The reconciler plans pulls with
// it; cmd/berth hands its credentials to the engine calls. PushArtifact,
// CopyImages and PushIndex are the pushes that go to a registry without
// the engine, through containerd's registry client: publish's compose
// artifact, and with --app the services' images copied registry to
// registry and the index of them.
package registry
