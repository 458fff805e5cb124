// Package network owns the project's networks: which engine networks a project
// needs (default and declared, external ones only looked up), their names and
// labels, and Ensure/Remove, which are idempotent and safe when several
// callers race on the same network. Drift tells whether a network found on
// the engine still matches the file; the settings the engine's listing does
// not report are kept as digests in a label (LabelFields).
//
// It speaks to an engine only through the small API interface it declares.
package network
