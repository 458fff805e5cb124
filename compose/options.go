package compose

import "io"

// Options are the inputs of Load, as the global flags and COMPOSE_*
// variables give them.
type Options struct {
	Files            []string // -f, in order; "-" reads Stdin
	ProjectName      string   // -p
	ProjectDirectory string   // --project-directory
	EnvFiles         []string // --env-file
	Profiles         []string // --profile
	WorkingDir       string   // where berth runs
	Environ          []string // the process environment, "K=V"
	Stdin            io.Reader
	NoInterpolate    bool
	// Services restricts the project to these services and what they
	// depend on; empty means all.
	Services []string
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
	if w.File == "" {
		return w.Path + ": " + w.Text
	}
	return locate(w.File, w.Line, w.Column) + w.Path + ": " + w.Text
}

func locate(file string, line, col int) string {
	if line == 0 {
		return file + ": "
	}
	return file + ":" + itoa(line) + ":" + itoa(col) + ": "
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
