// Package testregistry starts a real Distribution registry (Debian's
// docker-registry) for tests: on a free loopback port, with its own storage
// directory and, when asked, htpasswd (bcrypt) authentication. The engine
// treats loopback registries as plain HTTP, so no TLS is involved. Stop
// (registered as a test cleanup) ends the process and removes its storage.
package testregistry
