// Package imagebuild turns a service's build section into an engine build request
// and runs a project's builds.
//
// NewRequest checks the section (a local context, a Dockerfile inside it or
// dockerfile_inline) and prepares the context as a lazily written tar stream
// that honours .dockerignore (or <Dockerfile>.dockerignore), always keeps the
// Dockerfile and .dockerignore, sends symlinks as symlinks and never reads
// outside the context; entries are sorted with zeroed owners and times, so
// identical contexts give identical tars. Images builds the images of a
// project in parallel through a Builder, once per image name; Run runs one
// build and turns the engine's messages into Events: which builder ran (the
// engine's BuildKit by default, the classic builder with DOCKER_BUILDKIT=0 or
// where BuildKit is missing), the classic builder's lines, BuildKit's trace
// messages decoded with BuildKit's own types into numbered plain lines
// (trace.go), the running step for a one-line display, and warnings for the
// keys the builder that ran cannot apply (unsupported.go). A failure names
// the service and the Dockerfile line of the failing step (dockerfile.go).
//
// BuildKit builds take the same uploaded context tar as the classic builder.
// Secrets and ssh agents are session attachables (session.go) that the
// engine adapter serves over the engine's /session endpoint; secret values
// are read only when the build mounts them and never reach a label or a log.
// additional_contexts become stages of their own (contexts.go), since the
// engine's build API takes no named contexts.
package imagebuild
