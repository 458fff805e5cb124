package reconciler

// Progress receives what berth is doing, as events; cmd/berth renders them
// (tty, plain, json, quiet). The reconciler never writes to a terminal.
type Progress interface {
	Event(e ProgressEvent)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(ProgressEvent)

// Event calls f.
func (f ProgressFunc) Event(e ProgressEvent) { f(e) }

// ProgressEvent is one step on one resource, worded as Docker Compose words it:
// Kind "Container", Name "visits-web-1", Status "Started".
type ProgressEvent struct {
	Kind    string // Container, Network, Volume, Image, Service
	Name    string
	Service string
	Status  string // Creating, Created, Starting, Started, Healthy, Waiting, Stopping, Stopped, Removing, Removed, Recreate, Recreated, Building, Built, Error
	Done    bool   // the step finished (Created, Started …) rather than began
	Reason  string // why berth does it: "config changed: environment.FOO"
	Line    string // one line of output (a build step)
	Err     error

	// A pull or push reports the engine's messages: Layer is the layer
	// they concern ("" for the image), Detail the engine's words
	// ("Downloading", "Pull complete"), Current and Total its bytes.
	Layer          string
	Detail         string
	Current, Total int64
}
