// Package compose turns compose files, .env and flags into compose-go's
// *types.Project. It finds the files (compose.yaml and its relatives, in the
// working directory or its parents, with their overrides), merges -f files,
// interpolates, applies profiles, extends and include, and picks the project
// name; compose-go does the loading. Services named on the command line are
// selected, their profiles enabled, before env_file and label_file are read;
// a caller may have them read for some services only (Options.EnvFilesOf)
// or none (Options.SkipEnvFiles), so a missing env file fails only what
// acts on its service. env_file's `format: raw` is registered here
// (rawenv.go). LoadModel gives the raw, undecoded model instead, for
// `config --no-interpolate` and `--variables`; it uses neither cache.
// Its errors name the file, line and column; keys berth accepts but does
// not apply are reported as warnings, never dropped silently.
//
// Two caches under the user's cache directory spare repeated loads work;
// both are keyed by exactly what the load read, as the load itself records
// it (trace.go), never by reading the files' text: the options, the compose
// files' bytes and the names of the variables interpolation looked up. A
// load is remembered only when every one of those variables was unset
// (${TAG:-latest} with TAG unset), and served only while they all still
// are: a set variable may hold a secret, and nothing derived from one (the
// project it was interpolated into, a digest of it) is written, so a
// project that reads a variable from the environment or .env always takes
// the full load. A load that read another compose file (include, extends
// with a file, as compose-go's load listeners report them) or that logged
// anything is remembered by neither.
//   - validcache.go: an input that passed compose-go's schema validation,
//     the costliest step, loads again without it.
//   - projectcache.go: the loaded project itself, only when nothing in it
//     made compose-go read the environment or a file by itself: no
//     env_file, label_file, build, secret or config from the environment,
//     or develop, and no environment entry resolved from the environment
//     (a probe load with marked values shows them); Project.Environment is
//     never stored and is filled from the live environment on a hit.
//
// differential_test.go loads a corpus across 1,000 seeded random edits with
// and without the caches and requires equal results.
package compose
