// Package network owns the model of the project's networks: which engine
// networks a project needs (default and declared, external ones only looked
// up), their names, labels and endpoints. Drift tells whether a network found
// on the engine still matches the file; the settings the engine's listing does
// not report are kept as digests in a label (project.LabelNetworkFields).
//
// It is plain data and pure functions: creating and removing networks is the
// reconciler's work, through the engine package.
package network
