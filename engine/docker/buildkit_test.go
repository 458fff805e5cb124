package docker

import (
	"strings"
	"testing"

	mbuild "github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"

	"berth/imagebuild"
)

func TestReadBuildKitStream(t *testing.T) {
	// aux of a trace is the base64 of the protobuf; the adapter hands the
	// bytes on undecoded, imagebuild decodes them.
	stream := `{"id":"moby.buildkit.trace","aux":"AQID"}` +
		`{"id":"moby.image.id","aux":{"ID":"sha256:abc"}}` +
		`{"stream":"Successfully tagged app:latest\n"}`
	var traces [][]byte
	var lines []string
	id, err := readBuildKitStream(strings.NewReader(stream), func(m imagebuild.Message) {
		if m.Trace != nil {
			traces = append(traces, m.Trace)
		}
		if m.Line != "" {
			lines = append(lines, m.Line)
		}
	})
	if err != nil || id != "sha256:abc" {
		t.Fatalf("id %q, err %v", id, err)
	}
	if len(traces) != 1 || string(traces[0]) != "\x01\x02\x03" || len(lines) != 1 {
		t.Errorf("traces %q, lines %q", traces, lines)
	}
	_, err = readBuildKitStream(strings.NewReader(`{"errorDetail":{"message":"failed to solve: boom"},"error":"failed to solve: boom"}`), nil)
	if err == nil || !strings.Contains(err.Error(), "failed to solve: boom") {
		t.Errorf("err %v", err)
	}
}

func TestBuildKitAvailable(t *testing.T) {
	for _, c := range []struct {
		api, os, builder string
		want             bool
	}{
		{"1.41", "linux", "", true},
		{"1.38", "linux", "", false},
		{"1.41", "windows", "", false},
		{"1.41", "linux", "1", false},
		{"1.56", "linux", "2", true},
	} {
		ping := client.PingResult{OSType: c.os}
		ping.BuilderVersion = buildVersion(c.builder)
		if got := buildKitAvailable(c.api, ping); got != c.want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
	inline := buildKitOptions(imagebuild.Request{InlineCache: true, Platforms: []string{"linux/arm64/v8"}})
	if v := inline.BuildArgs["BUILDKIT_INLINE_CACHE"]; v == nil || *v != "1" || inline.Version != "2" ||
		len(inline.Platforms) != 1 || inline.Platforms[0].Variant != "v8" {
		t.Errorf("options %+v", inline)
	}
}

func buildVersion(v string) mbuild.BuilderVersion { return mbuild.BuilderVersion(v) }
