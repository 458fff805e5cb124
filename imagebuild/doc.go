// Package imagebuild turns a service's build section into an engine build request
// and runs a project's builds.
//
// NewRequest checks the section (a local context, a Dockerfile inside it or
// dockerfile_inline) and prepares the context as a lazily written tar stream
// that honours .dockerignore (or <Dockerfile>.dockerignore), always keeps the
// Dockerfile and .dockerignore, sends symlinks as symlinks and never reads
// outside the context; entries are sorted with zeroed owners and times, so
// identical contexts give identical tars. Images builds the images of a
// project in parallel through a Builder (the engine runs the classic builder),
// once per image name, and reports each line of output as an Event; a failure
// names the service and the Dockerfile step.
package imagebuild
