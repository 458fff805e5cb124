package engine

import (
	"context"
	"io"
	"os"
	"time"
)

// Exec, Interactive and Inspection are what the interactive and inspection
// commands (exec, run, attach, top, stats, ls) need beyond the core calls.
// Engine hands them out through accessors that return nil when the engine
// cannot do them, so a command asks once and says plainly what is missing.

// Exec runs a process inside a running container.
type Exec interface {
	// ExecCreate prepares the process and returns its exec ID.
	ExecCreate(ctx context.Context, container string, spec ExecSpec) (id string, err error)
	// ExecStart starts it: attached (the returned Conn carries its streams)
	// or, with spec.Detach at create, in the background (Conn is zero).
	ExecStart(ctx context.Context, id string, spec ExecSpec) (Conn, error)
	ExecResize(ctx context.Context, id string, height, width uint) error
	// ExecInspect reports whether it runs and, once it has ended, its exit code.
	ExecInspect(ctx context.Context, id string) (running bool, exitCode int, err error)
}

// ExecSpec is a process to run in a container.
type ExecSpec struct {
	Cmd        []string
	User       string
	WorkingDir string
	Env        []string // "K=V"
	Privileged bool
	TTY        bool
	Stdin      bool // attach standard input
	Detach     bool
}

// Conn is an attached process: its output (all on Stdout with a TTY) and,
// when stdin was asked for, its input. CloseStdin signals end of input while
// the output keeps flowing.
type Conn struct {
	Stream
	Stdin      io.Writer
	CloseStdin func() error
}

// Interactive attaches a terminal to a container's main process.
type Interactive interface {
	// AttachStdio attaches stdout and stderr, and stdin when asked; attach
	// before start to see the first line.
	AttachStdio(ctx context.Context, id string, stdin bool) (Conn, error)
	ResizeContainer(ctx context.Context, id string, height, width uint) error
}

// Archive copies files into and out of a container as tar streams, the way
// the engine's archive API does.
type Archive interface {
	StatPath(ctx context.Context, id, path string) (PathStat, error)
	// CopyFrom returns a tar of path; its one top entry is path's base name.
	CopyFrom(ctx context.Context, id, path string) (io.ReadCloser, PathStat, error)
	// CopyTo extracts the tar into dir, which must exist in the container.
	CopyTo(ctx context.Context, id, dir string, tar io.Reader, copyUIDGID bool) error
	// Export returns a tar of the container's whole filesystem.
	Export(ctx context.Context, id string) (io.ReadCloser, error)
}

// PathStat describes a path inside a container.
type PathStat struct {
	Name       string
	Size       int64
	Mode       os.FileMode
	Mtime      time.Time
	LinkTarget string
}

// Inspection reports on containers and on every Compose project the engine
// holds.
type Inspection interface {
	// Top lists the container's processes (ps columns and rows).
	Top(ctx context.Context, id string, psArgs []string) (titles []string, procs [][]string, err error)
	// Stats is one sample of the container's resource use.
	Stats(ctx context.Context, id string) (Stats, error)
	// ListAllProjects lists the containers of every project (those with a
	// project label), from the engine's list alone: the fields a list
	// fills (see Container). all includes stopped ones.
	ListAllProjects(ctx context.Context, all bool) ([]Container, error)
}

// Stats is one sample of a container's resource use.
type Stats struct {
	CPUPercent float64
	MemUsage   uint64
	MemLimit   uint64
	MemPercent float64
	NetRx      uint64
	NetTx      uint64
	BlockRead  uint64
	BlockWrite uint64
	PIDs       uint64
}
