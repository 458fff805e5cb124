package imagebuild

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// key is one build key that a builder may not apply.
type key struct {
	name string
	set  bool
	why  string // what berth says about it under BuildKit; "" when BuildKit applies it
}

// Unsupported names the keys of a build section that builder (BuilderBuildKit
// or BuilderClassic) cannot apply, one warning each, in a stable order:
// berth builds without them rather than dropping them silently. Run sends
// them once the engine has said which builder runs the build.
func Unsupported(service string, b *types.BuildConfig, builder string) []string {
	if b == nil {
		return nil
	}
	var out []string
	for _, k := range buildKeys(b) {
		switch {
		case !k.set:
		case builder == BuilderClassic:
			out = append(out, fmt.Sprintf("service %q: build.%s needs BuildKit; the classic builder ignores it", service, k.name))
		case k.name == "no_cache_filter" && builder != BuilderClassic:
			out = append(out, fmt.Sprintf("service %q: build.%s %s", service, k.name, k.why))
		case builder != BuilderClassic && k.why != "":
			out = append(out, fmt.Sprintf("service %q: build.%s %s; berth builds without it", service, k.name, k.why))
		}
	}
	return out
}

// buildKeys lists the keys that need BuildKit, and what the engine's
// built-in BuildKit cannot do of them through its build API.
func buildKeys(b *types.BuildConfig) []key {
	return []key{
		{"cache_to", len(b.CacheTo) > 0, cacheToWhy(b.CacheTo)},
		{"entitlements", len(b.Entitlements) > 0, "needs entitlements the engine's build API cannot grant"},
		{"isolation", b.Isolation != "", "is for Windows containers"},
		{"no_cache_filter", len(b.NoCacheFilter) > 0 && !b.NoCache, "takes no per-stage filter through the engine's build API: every stage is built without the cache"},
		{"platforms", len(b.Platforms) > 0, platformsWhy(b.Platforms)},
		{"privileged", b.Privileged, "needs the security.insecure entitlement, which the engine's build API cannot grant"},
		{"provenance", b.Provenance != "", "(a provenance attestation) needs an image store that keeps attestations, which this engine's BuildKit has not"},
		{"sbom", b.SBOM != "", "(an SBOM attestation) needs an image store that keeps attestations, which this engine's BuildKit has not"},
		{"secrets", len(b.Secrets) > 0, ""},
		{"ssh", len(b.SSH) > 0, ""},
		{"ulimits", len(b.Ulimits) > 0, "is not passed to BuildKit by the engine's build API"},
	}
}

// cacheToWhy: inline cache is written into the image; other exporters
// (registry, local, gha, s3) need a BuildKit the engine's build API does
// not expose.
func cacheToWhy(list []string) string {
	for _, c := range list {
		if t := cacheAttrs(c)["type"]; t != "inline" {
			return fmt.Sprintf("%q: only type=inline can be written by the engine's built-in BuildKit", c)
		}
	}
	return ""
}

// platformsWhy: one platform is built (the engine's own when it matches);
// several need a multi-platform image store.
func platformsWhy(p []string) string {
	if len(p) <= 1 {
		return ""
	}
	return fmt.Sprintf("%v: several platforms need a multi-platform image store, which this engine has not; the engine's platform is built", p)
}
