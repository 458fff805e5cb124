package main

import (
	"context"
	"sync"

	"berth/engine"
	"berth/engine/docker"
)

// engineOnce is one invocation's connection to the engine: made on first
// use, so commands that need no engine (config, version, completion) never
// touch it, and made once, so the engine is probed once per run.
type engineOnce struct {
	once sync.Once
	eng  engine.Engine
	err  error
}

// engines holds the connection of each invocation. It lives beside app
// rather than in it so app stays free of engine types.
var engines sync.Map // *app → *engineOnce

// newEngine connects to the engine; tests of commands may replace it with a
// constructor of engine/fake.
var newEngine = func(ctx context.Context, environ []string) (engine.Engine, error) {
	e, err := docker.New(ctx, environ)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return e, nil
}

// engine returns the invocation's engine, connecting on first use. When
// none answers, the error is one line naming the endpoint tried and how
// to choose another.
func (a *app) engine(ctx context.Context) (engine.Engine, error) {
	v, _ := engines.LoadOrStore(a, &engineOnce{})
	o := v.(*engineOnce)
	o.once.Do(func() { o.eng, o.err = newEngine(ctx, a.environ) })
	return o.eng, o.err
}

// connectAhead starts connecting to the engine in the background, so the
// probe's round trip overlaps with loading the project instead of following
// it; a.engine then waits for that same connection. Only commands that use
// the engine whatever the project holds call it: config, version and
// completion must never touch the engine.
func (a *app) connectAhead(ctx context.Context) {
	go func() { _, _ = a.engine(ctx) }()
}
