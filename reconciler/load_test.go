package reconciler

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// mustLoad loads inline YAML as project "demo", in a fresh directory and an
// empty environment, so a test's result depends on its YAML alone.
func mustLoad(t *testing.T, yaml string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	p, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: dir + "/compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("demo", true) })
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

// MustLoad is mustLoad for the external tests (package reconciler_test);
// like every _test.go name, it exists only in test builds.
var MustLoad = mustLoad
