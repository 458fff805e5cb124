package reconciler

import (
	"context"
	"errors"
	"io"
	"strings"

	"berth/engine"
	"berth/imagebuild"
)

// do performs one action: one engine call, or one wait.
func (a *applier) do(ctx context.Context, act Action) error {
	switch act.Op {
	case OpWaitHealthy:
		return a.waitHealthy(ctx, act)
	case OpWaitExit:
		return a.waitExit(ctx, act)
	case OpRemoveNetwork: // wait before taking a slot of --parallel
		a.leaves.await(ctx, act.Target, act.Disconnects)
	}
	if err := a.acquire(ctx); err != nil {
		return err
	}
	defer a.release()
	if landsAnyway[act.Op] {
		ctx = context.WithoutCancel(ctx)
	}
	switch act.Op {
	case OpCreateNetwork:
		_, err := ensureNetwork(ctx, a.eng, *act.Network)
		return err
	case OpCreateVolume:
		_, err := a.eng.CreateVolume(ctx, *act.Volume)
		return ignore(failure(act, "create volume", err), engine.ErrExists)
	case OpBuild:
		return a.build(ctx, act)
	case OpPull:
		return a.pull(ctx, act)
	case OpPush:
		return a.push(ctx, act)
	case OpCreate:
		return a.create(ctx, act)
	case OpStart:
		return a.start(ctx, act)
	case OpAttach:
		return a.attach(ctx, act)
	case OpPreStart:
		return a.preStart(ctx, act)
	case OpPostStart, OpPreStop:
		return a.execHooks(ctx, act)
	case OpProviderUp, OpProviderStop, OpProviderDown:
		return a.runProvider(ctx, act)
	case OpStop:
		return ignore(failure(act, "stop container", a.eng.StopContainer(ctx, act.Target, act.Grace)), engine.ErrNotFound)
	case OpRemove:
		return ignore(failure(act, "remove container", a.eng.RemoveContainer(ctx, act.Target, act.Remove)), engine.ErrNotFound)
	case OpRename:
		return a.rename(ctx, act)
	case OpRemoveNetwork:
		return removeNetwork(ctx, a.eng, act.Target)
	case OpDisconnect:
		return ignore(failure(act, "disconnect from network "+act.Endpoint.Network, a.eng.DisconnectNetwork(ctx, act.Endpoint.Network, act.Target)), engine.ErrNotFound)
	case OpConnect:
		return failure(act, "connect to network "+act.Endpoint.Network, a.eng.ConnectNetwork(ctx, act.Endpoint.Network, act.Target, *act.Endpoint))
	case OpRemoveVolume:
		return ignore(failure(act, "remove volume", a.eng.RemoveVolume(ctx, act.Target)), engine.ErrNotFound)
	case OpRemoveImage:
		return ignore(failure(act, "remove image", a.eng.RemoveImage(ctx, act.Target, act.Force)), engine.ErrNotFound)
	}
	return a.doLifecycle(ctx, act) // restart, kill, pause, unpause (lifecycle_apply.go)
}

// landsAnyway are the operations the engine carries out to the end once
// their call is sent, whether or not the client still listens: a stop
// sent by an interrupted down completes after berth exits, behind the
// next run's observation, and that run then plans from a container that
// is about to stop. An interrupted Apply therefore starts nothing new but
// waits for these calls' answers (each still bounded by the engine
// deadline, engine/docker/deadline.go), so nothing it sent lands after it
// exits.
var landsAnyway = map[Op]bool{
	OpStop: true, OpRemove: true, OpRename: true, OpKill: true,
	OpRemoveNetwork: true, OpRemoveVolume: true,
}

// ignore drops err when it is the outcome the caller wants anyway (removing
// what is gone, creating what another run created).
func ignore(err, want error) error {
	if err == nil || errors.Is(err, want) {
		return nil
	}
	return err
}

// create makes the container. When another run created it first (two `up`
// at once), the one that exists is the one to go on with.
// A replacement is created under its temporary name (Container.Name).
func (a *applier) create(ctx context.Context, act Action) error {
	_, err := a.eng.CreateContainer(ctx, a.withProviderEnv(act))
	if errors.Is(err, engine.ErrExists) {
		_, err = a.eng.InspectContainer(ctx, act.Container.Name)
	}
	if err != nil {
		return failure(act, "create container", err)
	}
	return a.inject(ctx, act)
}

// rename gives a replacement its final name. When the replacement is gone
// and a container holds the name, another run finished the same recreate.
func (a *applier) rename(ctx context.Context, act Action) error {
	err := a.eng.RenameContainer(ctx, act.Temp, act.Target)
	if errors.Is(err, engine.ErrNotFound) {
		if _, ierr := a.eng.InspectContainer(ctx, act.Target); ierr == nil {
			return nil
		}
	}
	return failure(act, "rename container "+act.Temp, err)
}

// start starts the container. A later service_completed_successfully wait
// needs the exit, so the wait is registered before the start. Starts that
// publish host ports run in parallel like the rest: the engine allocates
// ports one by one (enginetest's PortRangeConcurrentStarts, on Engine 20.10
// and 29).
func (a *applier) start(ctx context.Context, act Action) error {
	if err := a.exits.arm(ctx, a.eng, act.Target); err != nil {
		return failure(act, "wait container", err)
	}
	err := asStaleTask(act.Target, a.eng.StartContainer(ctx, act.Target))
	if err != nil && act.PublishesPorts {
		return failure(act, "start container (publishing "+ports(a.plan, act)+")", err)
	}
	return failure(act, "start container", err)
}

// ports lists the host ports the started container publishes, for errors.
func ports(plan Plan, act Action) string {
	if plan.Project == nil {
		return "ports"
	}
	var out []string
	for _, p := range plan.Project.Services[act.Service].Ports {
		if p.Published != "" {
			out = append(out, p.Published+"/"+p.Protocol)
		}
	}
	return "port " + strings.Join(out, ", ")
}

// build builds the service's image, streaming its output as progress lines.
func (a *applier) build(ctx context.Context, act Action) error {
	req, err := imagebuild.NewRequest(a.plan.Project, act.Build.Service, act.Build.Image, a.buildOpt)
	if err != nil {
		return failure(act, "build image", err)
	}
	if c, ok := req.Context.(io.Closer); ok {
		defer c.Close()
	}
	out := func(e imagebuild.Event) {
		if e.Warning != "" {
			a.progress.Event(ProgressEvent{Kind: "Warning", Line: e.Warning})
			return
		}
		ev := ProgressEvent{Kind: "Image", Name: act.Target, Service: act.Service, Status: "Building"}
		if e.Line != "" {
			line := ev
			line.Line = e.Line
			a.progress.Event(line)
		}
		if e.Step != "" { // the tty's one line for the image
			ev.Status += " " + e.Step
			a.progress.Event(ev)
		}
	}
	// imagebuild.Run names the failing Dockerfile step; the service is named
	// already, so the error is not wrapped again.
	_, err = imagebuild.Run(ctx, a.eng, req, out)
	return err
}
