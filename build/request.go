package build

import (
	"io"

	"github.com/compose-spec/compose-go/v2/types"
)

// Request is one image build, ready for the engine.
type Request struct {
	Service    string    // the service that asked for it, for messages
	Context    io.Reader // tar stream of the build context
	Dockerfile string    // path of the Dockerfile inside Context
	Tags       []string  // the first is the image name berth runs
	Args       map[string]*string
	Target     string
	Labels     map[string]string
	NoCache    bool
	CacheFrom  []string
	Network    string
	ExtraHosts []string
	ShmSize    int64
	Pull       bool
}

// Output receives the build's progress, one line at a time ("Step 2/5 : RUN …").
type Output func(line string)

// Options are the command-line choices that shape every build of a run.
type Options struct {
	NoCache bool
	Pull    bool
	Args    map[string]*string // --build-arg, over the file's args
}

// NewRequest prepares the build of service s of project p: the context tar
// stream, the Dockerfile, args, tags. The caller closes the returned request's
// Context when it is an io.Closer. (Stub until the build work lands.)
func NewRequest(p *types.Project, s types.ServiceConfig, imageName string, o Options) (Request, error) {
	_ = p
	return Request{Service: s.Name, Tags: []string{imageName}, NoCache: o.NoCache, Pull: o.Pull}, nil
}
