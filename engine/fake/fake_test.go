package fake_test

import (
	"archive/tar"
	"bytes"
	"testing"

	"berth/engine"
	"berth/engine/enginetest"
	"berth/engine/fake"
	"berth/imagebuild"
)

func newEngine(t *testing.T) engine.Engine {
	return fake.New(enginetest.DefaultImage)
}

func TestContract(t *testing.T) {
	// The fake is its own registry: any host name reaches it.
	enginetest.RunConfig(t, enginetest.Config{Registry: "registry.test:5000"}, newEngine)
}

func buildRequest(t *testing.T, tag, dockerfile string) imagebuild.Request {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range map[string]string{"Dockerfile": dockerfile} {
		if dockerfile == "" {
			break
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return imagebuild.Request{Service: "app", Context: &buf, Dockerfile: "Dockerfile", Tags: []string{tag}}
}
