// Package compose turns compose files, .env and flags into compose-go's
// *types.Project. It finds the files (compose.yaml and its relatives, in the
// working directory or its parents, with their overrides), merges -f files,
// interpolates, applies profiles, extends and include, and picks the project
// name. Its errors name the file, line and column; keys berth accepts but does
// not apply are reported as warnings, never dropped silently.
package compose
