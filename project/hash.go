package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// ConfigHash is the value of LabelConfigHash: a digest of what the container
// runs. How the image is obtained (build, pull_policy), how many replicas there
// are and what the service waits for do not change a container, so they are
// left out, as Docker Compose leaves them out; the image itself is compared
// separately through LabelImage. A service JSON cannot carry (an infinite
// cpus, which compose-go's validation rejects) hashes as "", see Hashable.
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
	b, err := json.Marshal(hashable(s))
	if err != nil {
		return "", fmt.Errorf("service %q has no config hash: %w", s.Name, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// hashable blanks the fields of a copy of s that do not reach the container.
func hashable(s types.ServiceConfig) types.ServiceConfig {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		zero := 0
		d.Replicas = &zero
		s.Deploy = &d
	}
	s.DependsOn = nil
	s.Profiles = nil
	return s
}
