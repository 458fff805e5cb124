package network

import (
	"context"
	"errors"
)

// ErrNotFound and ErrExists are the two engine outcomes callers branch on.
// The reconciler re-exports them; engine adapters return errors that match
// them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Spec is a network as berth creates it.
type Spec struct {
	Name       string
	Driver     string // "" means the engine's default (bridge)
	DriverOpts map[string]string
	Labels     map[string]string
	Internal   bool
	Attachable bool
	EnableIPv6 bool
	IPAM       IPAM
}

// IPAM is the address management of a network.
type IPAM struct {
	Driver  string
	Configs []IPAMConfig
}

// IPAMConfig is one subnet.
type IPAMConfig struct {
	Subnet  string
	IPRange string
	Gateway string
}

// Info is a network as the engine reports it.
type Info struct {
	ID     string
	Name   string
	Driver string
	Labels map[string]string
}

// API is what this package needs from an engine.
type API interface {
	InspectNetwork(ctx context.Context, name string) (Info, error)
	CreateNetwork(ctx context.Context, spec Spec) (id string, err error)
	RemoveNetwork(ctx context.Context, name string) error
	ListNetworks(ctx context.Context, project string) ([]Info, error)
	ConnectNetwork(ctx context.Context, network, container string, ep Endpoint) error
	DisconnectNetwork(ctx context.Context, network, container string) error
}

// Endpoint is how a container joins a network.
type Endpoint struct {
	Network     string
	Aliases     []string
	IPv4Address string
	IPv6Address string
	MacAddress  string
	Priority    int
}
