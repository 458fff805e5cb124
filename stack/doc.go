// Package stack takes a compose project to a Docker Swarm, as docker stack
// does, with a plan.
//
// Translate turns each compose service into a swarm.ServiceSpec, key by
// key, and names every key Swarm cannot express in one warning per
// service. Observe reads the stack's services, networks, secrets and
// configs from a manager (engine.Swarm); NewPlan (pure) compares them with
// the desired stack and returns actions (create, update, remove, wait),
// each with a reason naming the changed fields; Apply runs them in
// dependency order; Wait follows the engine's events until every task
// runs (and is healthy), or fails naming the task and its error.
//
// Names follow docker stack: the stack is the project name, services are
// <stack>_<service>, and everything carries com.docker.stack.namespace, so
// the docker CLI sees berth's stacks and berth sees the CLI's.
package stack
