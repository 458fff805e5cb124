// Package bench measures berth against the raw engine limit and, when it is
// installed, the legacy docker-compose.
//
// The generator writes projects of N busybox services in three shapes
// (independent, a chain where each service depends on the previous one, and a
// fan of dependents around one root). For every shape the benchmark times a
// cold `up -d`, `ps`, a warm `up -d` that has nothing to do, and `down`, for
// each tool in the same run, interleaved round by round so that drift of the
// engine hits every tool alike, and reports medians and ratios to the raw
// limit (package raw, run as its own small process like the others).
//
// A counting proxy between berth and the engine shows which Engine API calls
// berth makes for each operation and how many run at once; that is how the
// benchmark proves a warm `up -d` makes no create, stop or remove call, and
// how a missed target is traced to its cause.
//
// The watch phase (BenchmarkWatch) measures the development loop: the
// save-to-visible latency of a sync over 100 edits (a shell loop in the
// container reports each new content; the engine's own floor, one archive
// call per edit without berth, is measured alongside), a 200-file burst
// (how many batches, how long until it is in the container), and the idle
// CPU of `berth watch` on a tree of 20,000 files.
//
// Run it with `make bench`; it needs a running engine and the image
// berth-test/busybox:latest (`make images`).
package bench
