// Package project derives the facts berth needs from a loaded compose project:
// the names of containers, networks and volumes, the com.docker.compose.* labels
// that mark what a project owns, the config hash that shows drift, and the
// dependency graph (start order, stop order, cycles).
//
// Everything here is a pure function of compose-go's *types.Project; nothing
// talks to an engine, nothing starts a goroutine.
package project
