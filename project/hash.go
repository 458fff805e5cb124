package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// ConfigHash is the value of LabelConfigHash: a digest of what the container
// runs (RuntimeConfig), exactly as Docker Compose computes it; the image
// itself is compared separately through LabelImage. A service JSON cannot
// carry (an infinite cpus, which compose-go's validation rejects) hashes as
// "", see Hashable.
func ConfigHash(s types.ServiceConfig) string {
	h, _ := configHash(s)
	return h
}

// Hashable tells why s has no config hash, nil when it has one.
func Hashable(s types.ServiceConfig) error {
	_, err := configHash(s)
	return err
}

func configHash(s types.ServiceConfig) (string, error) {
	b, err := json.Marshal(RuntimeConfig(s))
	if err != nil {
		return "", fmt.Errorf("service %q has no config hash: %w", s.Name, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// NotCounted names the service fields that do not change a container, in
// the compose file's words: how the image is obtained (build, pull_policy),
// how many replicas there are (scale, deploy.replicas) and what the service
// waits for or is gated by (depends_on, profiles). RuntimeConfig blanks
// exactly these; the config hash and the per-field digests both go through
// it, so they cannot disagree on what counts.
var NotCounted = []string{"build", "pull_policy", "scale", "deploy.replicas", "depends_on", "profiles"}

// RuntimeConfig is a copy of s with the NotCounted fields blanked. An
// empty deploy section stays (as "deploy":{}), because that is what Docker
// Compose hashes.
func RuntimeConfig(s types.ServiceConfig) types.ServiceConfig {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		d.Replicas = nil
		s.Deploy = &d
	}
	s.DependsOn = nil
	s.Profiles = nil
	return s
}
