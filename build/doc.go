// Package build turns a service's build section into an engine build request:
// the context as a tar stream that honours .dockerignore, the Dockerfile (or
// dockerfile_inline), args, target, labels and tags. The engine runs the build
// through the classic builder; its output comes back line by line.
package build
