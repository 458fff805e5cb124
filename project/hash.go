package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/compose-spec/compose-go/v2/types"
)

// ConfigHash is the value of LabelConfigHash: a digest of what the container
// runs. How the image is obtained (build, pull_policy), how many replicas there
// are and what the service waits for do not change a container, so they are
// left out, as Docker Compose leaves them out; the image itself is compared
// separately through LabelImage.
func ConfigHash(s types.ServiceConfig) string {
	s = hashable(s)
	b, err := json.Marshal(s)
	if err != nil {
		// A loaded service is plain data; only a broken model can get here.
		panic("project: service cannot be marshalled: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
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
