package docker

import (
	"net/netip"
	"reflect"
	"testing"

	"berth/network"
)

// ipam options and aux_addresses reach the network create call.
func TestNetworkCreateIPAMOptions(t *testing.T) {
	opts, err := networkCreateOptions(network.Spec{Name: "n", IPAM: network.IPAM{
		Options: map[string]string{"foo": "bar"},
		Configs: []network.IPAMConfig{{Subnet: "10.9.0.0/24", AuxAddresses: map[string]string{"host1": "10.9.0.5"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(opts.IPAM.Options, map[string]string{"foo": "bar"}) {
		t.Errorf("options: %v", opts.IPAM.Options)
	}
	if got := opts.IPAM.Config[0].AuxAddress; !reflect.DeepEqual(got, map[string]netip.Addr{"host1": netip.MustParseAddr("10.9.0.5")}) {
		t.Errorf("aux addresses: %v", got)
	}
	_, err = networkCreateOptions(network.Spec{Name: "n", IPAM: network.IPAM{Configs: []network.IPAMConfig{{AuxAddresses: map[string]string{"h": "nope"}}}}})
	if err == nil {
		t.Error("a bad aux address is accepted")
	}
}

// An endpoint's driver options (driver_opts, interface_name) reach the
// create call.
func TestEndpointDriverOpts(t *testing.T) {
	es, err := endpointSettings(network.Endpoint{Network: "n", DriverOpts: map[string]string{network.IfnameOption: "eth7"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if es.DriverOpts[network.IfnameOption] != "eth7" {
		t.Errorf("driver opts: %v", es.DriverOpts)
	}
}

// enable_ipv4 reaches the create call only when the file sets it.
func TestNetworkCreateEnableIPv4(t *testing.T) {
	off := false
	opts, err := networkCreateOptions(network.Spec{Name: "n", EnableIPv4: &off})
	if err != nil || opts.EnableIPv4 == nil || *opts.EnableIPv4 {
		t.Errorf("set: %v, %v", opts.EnableIPv4, err)
	}
	if opts, _ := networkCreateOptions(network.Spec{Name: "n"}); opts.EnableIPv4 != nil {
		t.Errorf("unset: %v", *opts.EnableIPv4)
	}
}
