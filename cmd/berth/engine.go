package main

import (
	"context"
	"sync"

	"berth/engine"
	"berth/engine/docker"
)

// connection is one invocation's connection to the engine: made on first
// use, so commands that need no engine (config, version, completion) never
// touch it, and made once, so the engine is probed once per run.
type connection struct {
	once sync.Once
	eng  engine.Engine
	err  error
}

// connectDocker connects to the Docker Engine the environment points at
// (DOCKER_HOST, the current context).
func connectDocker(ctx context.Context, environ []string) (engine.Engine, error) {
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
	a.conn.once.Do(func() {
		connect := a.connect
		if connect == nil {
			connect = connectDocker
		}
		a.conn.eng, a.conn.err = connect(ctx, a.environ)
	})
	return a.conn.eng, a.conn.err
}
