package network

import (
	"berth/project"
	"maps"
	"testing"
)

func TestDrift(t *testing.T) {
	spec := Spec{Name: "demo_back", Driver: "bridge", DriverOpts: map[string]string{"mtu": "1400"},
		Labels: map[string]string{"com.docker.compose.network": "back", "com.docker.compose.version": "1", "team": "a"}}
	spec.Labels[project.LabelNetworkFields] = project.EncodeDigests(fieldDigests(spec))
	info := Info{Name: spec.Name, Driver: "bridge", Labels: maps.Clone(spec.Labels)}
	if d := Changed(spec, info); d != "" {
		t.Fatalf("same network drifts: %s", d)
	}
	info.Labels["com.docker.compose.version"] = "0.9" // another berth or Compose version is no drift
	if d := Changed(spec, info); d != "" {
		t.Fatalf("version label drifts: %s", d)
	}
	changed := spec
	changed.DriverOpts = map[string]string{"mtu": "9000"}
	if d := Changed(changed, info); d != "driver_opts" {
		t.Errorf("driver_opts: %q", d)
	}
	changed = spec
	changed.Internal = true
	if d := Changed(changed, info); d != "internal" {
		t.Errorf("internal: %q", d)
	}
	changed = spec
	changed.Labels = maps.Clone(spec.Labels)
	changed.Labels["team"] = "b"
	if d := Changed(changed, info); d != "labels.team" {
		t.Errorf("label: %q", d)
	}
	info.Driver = "macvlan"
	if d := Changed(spec, info); d != "driver" {
		t.Errorf("driver: %q", d)
	}
}

// IPAM options and aux addresses count in the ipam digest, and a network
// without them keeps the digest it was labelled with before they existed.
func TestIPAMOptionsDigest(t *testing.T) {
	plain := IPAM{Driver: "default", Configs: []IPAMConfig{{Subnet: "10.9.0.0/24"}}}
	if got, want := digest(plain), digest(struct {
		Driver  string
		Configs []struct{ Subnet, IPRange, Gateway string }
	}{"default", []struct{ Subnet, IPRange, Gateway string }{{Subnet: "10.9.0.0/24"}}}); got != want {
		t.Errorf("digest of a network without options moved: %s, was %s", got, want)
	}
	withOpts := plain
	withOpts.Options = map[string]string{"k": "v"}
	withAux := IPAM{Driver: "default", Configs: []IPAMConfig{{Subnet: "10.9.0.0/24", AuxAddresses: map[string]string{"host1": "10.9.0.5"}}}}
	if digest(withOpts) == digest(plain) || digest(withAux) == digest(plain) {
		t.Error("options or aux_addresses do not reach the digest")
	}
}

// enable_ipv4 counts only once set: networks labelled before it keep their
// field digests, and setting it later is a drift.
func TestEnableIPv4Digest(t *testing.T) {
	spec := Spec{Name: "n"}
	if _, ok := fieldDigests(spec)["enable_ipv4"]; ok {
		t.Error("an unset enable_ipv4 is digested")
	}
	spec.Labels = map[string]string{project.LabelNetworkFields: project.EncodeDigests(fieldDigests(spec))}
	info := Info{Name: "n", Labels: maps.Clone(spec.Labels)}
	off := false
	changed := spec
	changed.EnableIPv4 = &off
	if d := Changed(changed, info); d != "enable_ipv4" {
		t.Errorf("enable_ipv4 set later: %q", d)
	}
}
