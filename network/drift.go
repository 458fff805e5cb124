package network

import (
	"encoding/json"
	"maps"
	"slices"

	"berth/project"
)

// fieldDigests digests the settings of spec the labels do not show.
func fieldDigests(spec Spec) map[string]string {
	out := map[string]string{
		"driver_opts": digest(spec.DriverOpts),
		"ipam":        digest(spec.IPAM),
		"internal":    digest(spec.Internal),
		"attachable":  digest(spec.Attachable),
		"enable_ipv6": digest(spec.EnableIPv6),
	}
	// Only when set, so that the networks labelled before it counted
	// keep their digests.
	if spec.EnableIPv4 != nil {
		out["enable_ipv4"] = digest(*spec.EnableIPv4)
	}
	return out
}

func digest(v any) string {
	b, err := json.Marshal(v) // plain data: maps marshal with sorted keys
	if err != nil {
		return ""
	}
	return project.ShortDigest(b)
}

// Changed names the setting in which the existing network info differs
// from spec ("labels.team", "driver", "ipam"), or "" when it matches. A
// network created without project.LabelNetworkFields (by an older berth, or
// by Docker Compose) is compared on its driver and labels only.
func Changed(spec Spec, info Info) string {
	for _, k := range slices.Sorted(maps.Keys(spec.Labels)) {
		if k == project.LabelVersion || k == project.LabelNetworkFields {
			continue
		}
		if got, ok := info.Labels[k]; !ok || got != spec.Labels[k] {
			return "labels." + k
		}
	}
	if spec.Driver != "" && info.Driver != spec.Driver {
		return "driver"
	}
	old, ok := info.Labels[project.LabelNetworkFields]
	if !ok {
		return ""
	}
	have := project.DecodeDigests(old)
	want := fieldDigests(spec)
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if have[k] != want[k] {
			return k
		}
	}
	return ""
}
