// Package publish decides whether a project may go out as an OCI artifact
// (`berth publish`), before anything is pushed. It refuses what cannot
// work elsewhere (services with only a build section, local includes) and
// finds what the user should see before it leaves the machine: bind
// mounts, sensitive-looking data in the compose files, env files, configs
// and secrets, and env declarations (env_file, literal values of
// sensitive-looking variables) — each aggregated into one prompt. The
// files are read as written (no interpolation), since that is what is
// published. cmd/berth asks the questions and pushes.
package publish
