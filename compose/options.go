package compose

import "io"

// Options are the inputs of Load, as the global flags and COMPOSE_*
// variables give them. Relative paths are relative to WorkingDir.
type Options struct {
	Files []string // -f, in order; "-" reads Stdin; empty means discover
	// FilesFromEnvironment says Files came from COMPOSE_FILE rather than
	// -f: the first .env is then read from the working directory.
	FilesFromEnvironment bool
	ProjectName          string   // -p (or COMPOSE_PROJECT_NAME from Environ)
	ProjectDirectory     string   // --project-directory
	EnvFiles             []string // --env-file; empty means .env in the project directory
	Profiles             []string // --profile; "*" enables all
	WorkingDir           string   // where berth runs
	Environ              []string // the process environment, "K=V"
	Stdin                io.Reader
	NoInterpolate        bool
	// Services restricts the project to these services and what they
	// depend on; empty means all. Naming a service enables it even when
	// its profile is not active, as Docker Compose does.
	Services []string

	// SkipEnvFiles leaves env_file unread: the services keep it as
	// declared. For the commands that create no container (ps, logs,
	// exec, down …), so a missing env file of any service does not stop
	// them, as with Docker Compose.
	SkipEnvFiles bool
	// EnvFilesOf, when not empty, reads the env_file of these services and
	// of what they depend on only; the others keep theirs unread. A
	// missing env file fails only the commands that act on its service.
	EnvFilesOf []string

	// The `config` switches, as compose-go's loader names them.
	NoNormalize    bool // no default network, no build defaults …
	NoResolvePaths bool // relative paths stay relative
	NoConsistency  bool // no check that references resolve
}

// Warning is something berth accepted but will not act on, located where
// the file says it.
type Warning struct {
	File   string
	Line   int
	Column int
	Path   string // services.web.develop
	Text   string
}

func (w Warning) String() string {
	s := position(w.File, w.Line, w.Column)
	if w.Path != "" {
		s += w.Path + ": "
	}
	return s + w.Text
}
