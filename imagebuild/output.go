package imagebuild

// Builder names, as Message.Builder reports them.
const (
	BuilderBuildKit = "BuildKit"
	BuilderClassic  = "classic"
)

// Message is one piece of a build's progress, as the engine sends it.
type Message struct {
	// Builder says which builder runs the build; the engine sends it once,
	// before anything else.
	Builder string
	// Line is one line of the classic builder's output ("Step 2/5 : RUN …").
	Line string
	// Trace is one BuildKit status message (the engine's
	// moby.buildkit.trace: a protobuf StatusResponse), decoded by Run.
	Trace []byte
}

// Output receives a build's progress.
type Output func(Message)
