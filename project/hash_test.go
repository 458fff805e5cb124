package project

import (
	"math"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// TestConfigHashOfAnUnmarshallableService: a value JSON cannot carry is an
// error from Hashable and an empty hash, never a panic.
func TestConfigHashOfAnUnmarshallableService(t *testing.T) {
	s := types.ServiceConfig{Name: "web"}
	s.Image, s.CPUS = "x", float32(math.Inf(1))
	if h := ConfigHash(s); h != "" {
		t.Errorf("hash %q, want none", h)
	}
	if err := Hashable(s); err == nil || !strings.Contains(err.Error(), `"web"`) {
		t.Errorf("Hashable: %v, want an error naming the service", err)
	}
	s.CPUS = 1.5
	if err := Hashable(s); err != nil || len(ConfigHash(s)) != 64 {
		t.Errorf("a plain service: %v %q", err, ConfigHash(s))
	}
}
