// Package e2e drives the built berth binary against a real Docker Engine.
// Every test uses its own project name and removes what it created, even when
// it fails. The engine has no registry: the images come from internal/testimages.
package e2e
