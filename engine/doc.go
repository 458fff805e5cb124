// Package engine is the contract between berth and a container engine.
//
// Engine is what the reconciler, the supervisor and the commands need:
// containers, networks, volumes, images, the archive calls and events, with
// accessors for what only some engines offer (Exec, Interactive,
// Inspection: nil when missing). Reader is its read-only part, what ps,
// logs, top and port receive. The value types (Container, ContainerSpec,
// Event, …) are plain data, and ErrNotFound and ErrExists are the two
// outcomes callers branch on.
//
// engine/docker implements the contract on a real Docker Engine,
// engine/fake in memory, and engine/enginetest holds both to it.
package engine
