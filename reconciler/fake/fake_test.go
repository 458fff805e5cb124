package fake_test

import (
	"archive/tar"
	"bytes"
	"testing"

	"berth/build"
	"berth/reconciler"
	"berth/reconciler/enginetest"
	"berth/reconciler/fake"
)

func newEngine(t *testing.T) reconciler.Engine {
	return fake.New(enginetest.DefaultImage)
}

func TestContract(t *testing.T) {
	enginetest.Run(t, newEngine)
}

func buildRequest(t *testing.T, tag, dockerfile string) build.Request {
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
	return build.Request{Service: "app", Context: &buf, Dockerfile: "Dockerfile", Tags: []string{tag}}
}
