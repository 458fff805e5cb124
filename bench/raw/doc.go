// Package raw is the raw engine limit the benchmarks hold berth against: the
// containers of a project created, started, listed, stopped and removed with
// the fewest direct Engine API calls, as parallel as the dependency graph
// allows. It knows nothing of compose files: it executes a Plan that the
// benchmark derives from the loaded project, so that its process starts as
// fast as any client of the engine can.
package raw
