// Package compose turns compose files, .env and flags into compose-go's
// *types.Project. It finds the files (compose.yaml and its relatives, in the
// working directory or its parents, with their overrides), merges -f files,
// interpolates, applies profiles, extends and include, and picks the project
// name; compose-go does the loading. Services named on the command line are
// selected, their profiles enabled, before env_file and label_file are read.
// Its errors name the file, line and column; keys berth accepts but does
// not apply are reported as warnings, never dropped silently.
//
// Every load reads the files again; nothing of a loaded project is cached.
// Only compose-go's schema validation, the costliest step, is skipped for
// an input that passed it before (validcache.go). That input is what the
// load itself recorded reading (trace.go): the options, the compose files'
// bytes and the variables interpolation looked up. A load that read any
// other compose file (include, extends with a file, as compose-go's load
// listeners report them) or that logged a message is never remembered. The
// cache file holds digests and variable names only, never a value of the
// environment. differential_test.go checks the cache against uncached loads
// over 1,000 random edits.
package compose
