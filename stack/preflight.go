package stack

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/swarm"
)

// ErrNotManager is the error of a deploy to an engine that cannot change
// the swarm's services.
var ErrNotManager = fmt.Errorf("this Docker Engine is not a swarm manager")

// preflight checks what would otherwise leave a stack half deployed.
func preflight(d Desired, st Observed) error {
	if !st.Info.Manager {
		return fmt.Errorf("%w (swarm: %s): run `docker swarm init`, or point DOCKER_HOST (or the context) at a manager", ErrNotManager, st.Info.LocalNodeState)
	}
	for _, s := range d.Services {
		if err := portsFree(s, st.Others); err != nil {
			return err
		}
		if err := placeable(s, st.Nodes); err != nil {
			return err
		}
	}
	return nil
}

// portsFree fails when a port the service publishes is published by a
// service outside the stack.
func portsFree(s Service, others []swarm.Service) error {
	if s.Spec.EndpointSpec == nil {
		return nil
	}
	for _, p := range s.Spec.EndpointSpec.Ports {
		if p.PublishedPort == 0 {
			continue
		}
		for _, o := range others {
			if o.Spec.EndpointSpec == nil {
				continue
			}
			for _, q := range o.Spec.EndpointSpec.Ports {
				if q.PublishedPort == p.PublishedPort && q.Protocol == p.Protocol {
					owner := o.Spec.Labels[LabelNamespace]
					if owner == "" {
						owner = "no stack"
					}
					return fmt.Errorf("service %q: port %d/%s is already published by service %s (stack %s)", s.Name, p.PublishedPort, p.Protocol, o.Spec.Name, owner)
				}
			}
		}
	}
	return nil
}

// placeable fails when no node satisfies the service's constraints, or
// when host-mode ports ask for more replicas than there are nodes that
// fit (a node can publish a host port once).
func placeable(s Service, nodes []swarm.Node) error {
	var cons []string
	if p := s.Spec.TaskTemplate.Placement; p != nil {
		cons = p.Constraints
	}
	fit := 0
	for _, n := range nodes {
		ok, err := satisfies(n, cons)
		if err != nil {
			return fmt.Errorf("service %q: %w", s.Name, err)
		}
		if ok && n.Spec.Availability != swarm.NodeAvailabilityDrain {
			fit++
		}
	}
	if len(nodes) > 0 && fit == 0 {
		return fmt.Errorf("service %q: no node satisfies the placement constraints %s", s.Name, strings.Join(cons, ", "))
	}
	if r := s.Spec.Mode.Replicated; r != nil && r.Replicas != nil && hostPorts(s) && int(*r.Replicas) > fit {
		return fmt.Errorf("service %q: %d replicas publish ports in host mode, but only %d node(s) can run them: a node publishes a host port once (use fewer replicas, mode: global, or ingress)", s.Name, *r.Replicas, fit)
	}
	return nil
}

// hostPorts reports whether the service publishes a port in host mode.
func hostPorts(s Service) bool {
	if s.Spec.EndpointSpec == nil {
		return false
	}
	for _, p := range s.Spec.EndpointSpec.Ports {
		if p.PublishMode == swarm.PortConfigPublishModeHost && p.PublishedPort != 0 {
			return true
		}
	}
	return false
}

// satisfies evaluates placement constraints (key == value, key != value)
// against a node, for the keys docker documents; an unknown key is an
// error rather than a guess.
func satisfies(n swarm.Node, constraints []string) (bool, error) {
	for _, c := range constraints {
		key, val, eq, err := parseConstraint(c)
		if err != nil {
			return false, err
		}
		have, known := nodeAttr(n, key)
		if !known {
			return false, fmt.Errorf("placement constraint %q: unknown attribute %q", c, key)
		}
		if (strings.EqualFold(have, val)) != eq {
			return false, nil
		}
	}
	return true, nil
}

func parseConstraint(c string) (key, val string, eq bool, err error) {
	if k, v, ok := strings.Cut(c, "=="); ok {
		return strings.TrimSpace(k), strings.TrimSpace(v), true, nil
	}
	if k, v, ok := strings.Cut(c, "!="); ok {
		return strings.TrimSpace(k), strings.TrimSpace(v), false, nil
	}
	return "", "", false, fmt.Errorf("placement constraint %q: want key==value or key!=value", c)
}

// nodeAttr is a node's value for a constraint key.
func nodeAttr(n swarm.Node, key string) (string, bool) {
	switch {
	case key == "node.id":
		return n.ID, true
	case key == "node.hostname":
		return n.Description.Hostname, true
	case key == "node.role":
		return string(n.Spec.Role), true
	case key == "node.platform.os":
		return n.Description.Platform.OS, true
	case key == "node.platform.arch":
		return n.Description.Platform.Architecture, true
	case strings.HasPrefix(key, "node.labels."):
		return n.Spec.Labels[strings.TrimPrefix(key, "node.labels.")], true
	case strings.HasPrefix(key, "engine.labels."):
		return n.Description.Engine.Labels[strings.TrimPrefix(key, "engine.labels.")], true
	}
	return "", false
}
