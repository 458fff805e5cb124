package build

import "io"

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
