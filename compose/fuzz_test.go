package compose

import (
	"bytes"
	"strings"
	"testing"
)

// fuzzSeeds are valid and broken compose files; the fuzzer mutates them.
var fuzzSeeds = []string{
	"services:\n  web:\n    image: nginx\n",
	"name: demo\nservices:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres\n    healthcheck:\n      test: [CMD, pg_isready]\n",
	"x-common: &common\n  image: busybox\n  environment: {A: b}\nservices:\n  a:\n    <<: *common\n  b:\n    <<: *common\n    command: [sh, -c, \"echo $$HOME ${FOO:-x}\"]\n",
	"services:\n  web:\n    build: .\n    profiles: [dev]\n    develop:\n      watch: [{path: ., action: sync, target: /app}]\n",
	"services:\n  base:\n    image: x\n  web:\n    extends: base\n",
	"include:\n  - other.yaml\nservices:\n  web:\n    image: x\n",
	"services:\n  db:\n    imgae: x\n",
	"services:\n  db:\n    image: x\n   foo: bar\n",
	"services:\n\tdb:\n",
	"services:\n  db:\n    image: ${FOO:?set FOO}\n",
	"services:\n  db:\n    image: ${FOO\n",
	"services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n",
	"services:\n  a:\n    image: x\n    depends_on: [zzz]\n",
	"a: &a [*a]\n",
	"x-base: &base\n  <<: *base\nservices:\n  a:\n    <<: *base\n    image: x\n",
	"services: !!binary aGVsbG8=\n",
	"services:\n  web:\n    image: x\n---\nservices:\n  db:\n    image: y\n",
	"volumes:\n  data:\nnetworks:\n  front: {}\nsecrets:\n  s: {file: ./s}\nservices:\n  web:\n    image: x\n    volumes: [data:/data, ./src:/src]\n    networks: [front]\n    secrets: [s]\n",
	"",
	"hello",
	"- a\n- b\n",
}

func FuzzLoad(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	// A cache of its own: the fuzzer must never write to the user's.
	environ := []string{"FOO=bar", "HOME=/root", "XDG_CACHE_HOME=" + f.TempDir()}
	f.Fuzz(func(t *testing.T, content []byte) {
		_, _, err := Load(t.Context(), Options{
			Files:      []string{"-"},
			Stdin:      bytes.NewReader(content),
			WorkingDir: dir,
			Environ:    environ,
		})
		if err != nil && strings.Contains(err.Error(), panicked) {
			t.Fatalf("loader panicked on %q: %v", content, err)
		}
	})
}
