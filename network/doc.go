// Package network owns the project's networks: which engine networks a project
// needs (default and declared, external ones only looked up), their names and
// labels, and Ensure/Remove, which are idempotent and safe when several
// callers race on the same network.
//
// It speaks to an engine only through the small API interface it declares.
package network
