package berth_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// allowed says which berth packages each package may import: imports point
// inward, toward the model, as DESIGN.md draws them.
var allowed = map[string][]string{
	"berth/project":               {},
	"berth/compose":               {"berth/project"},
	"berth/network":               {"berth/project"},
	"berth/imagebuild":            {"berth/project"},
	"berth/engine":                {"berth/project", "berth/network", "berth/imagebuild"},
	"berth/engine/docker":         {"berth/engine", "berth/project", "berth/network", "berth/imagebuild"},
	"berth/engine/fake":           {"berth/engine", "berth/project", "berth/network", "berth/imagebuild"},
	"berth/engine/enginetest":     {"berth/engine", "berth/project", "berth/network", "berth/imagebuild", "berth/internal/testimages"},
	"berth/watch":                 {"berth/engine", "berth/project", "berth/network", "berth/imagebuild", "berth/registry", "berth/reconciler"},
	"berth/reconciler":            {"berth/engine", "berth/project", "berth/network", "berth/imagebuild", "berth/registry", "berth/provider"},
	"berth/provider":              {},
	"berth/publish":               {},
	"berth/internal/testimages":   {},
	"berth/internal/testregistry": {},
	"berth/registry":              {"berth/project"},
	"berth/stack":                 {"berth/engine", "berth/project", "berth/network", "berth/imagebuild"},
	"berth/e2e":                   {"berth/internal/testimages", "berth/project"},
	"berth/bench":                 {"berth/internal/testimages", "berth/project", "berth/bench/raw"},
	"berth/bench/raw":             {},
	"berth/bench/cmd/rawlimit":    {"berth/bench/raw"},

	// The private test engines (modern and fault-test dockerd).
	"berth/internal/testengine":                {"berth/internal/testimages"},
	"berth/internal/testengine/cmd/testengine": {"berth/internal/testengine", "berth/internal/testimages"},
	"berth/e2e/chaos":                          {"berth/internal/testengine", "berth/internal/testimages"},
}

func TestImportsPointInward(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var pkg struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&pkg); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if pkg.ImportPath == "berth/cmd/berth" || pkg.ImportPath == "berth" {
			continue // the command may import everything
		}
		may, known := allowed[pkg.ImportPath]
		if !known {
			t.Errorf("%s: package missing from the import rules in imports_test.go", pkg.ImportPath)
			continue
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, "berth/") {
				continue
			}
			if !contains(may, imp) {
				t.Errorf("%s imports %s: imports must point inward (see DESIGN.md)", pkg.ImportPath, imp)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
