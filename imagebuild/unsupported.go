package imagebuild

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// Unsupported names the keys of a build section that the classic builder
// cannot apply (they need BuildKit), one warning each, in a stable order:
// berth builds without them rather than dropping them silently.
func Unsupported(service string, b *types.BuildConfig) []string {
	if b == nil {
		return nil
	}
	set := []struct {
		key string
		on  bool
	}{
		{"additional_contexts", len(b.AdditionalContexts) > 0},
		{"cache_to", len(b.CacheTo) > 0},
		{"entitlements", len(b.Entitlements) > 0},
		{"isolation", b.Isolation != ""},
		{"no_cache_filter", len(b.NoCacheFilter) > 0},
		{"platforms", len(b.Platforms) > 0},
		{"privileged", b.Privileged},
		{"provenance", b.Provenance != ""},
		{"sbom", b.SBOM != ""},
		{"secrets", len(b.Secrets) > 0},
		{"ssh", len(b.SSH) > 0},
		{"ulimits", len(b.Ulimits) > 0},
	}
	var out []string
	for _, k := range set {
		if k.on {
			out = append(out, fmt.Sprintf("service %q: build.%s needs BuildKit; the classic builder ignores it", service, k.key))
		}
	}
	return out
}
