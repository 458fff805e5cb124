package reconciler

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Each service is resolved once per run, by construction: the derivations
// below are called from one function each, which stores them in the
// service's desired value, and everything else reads that value. A new call
// elsewhere (a second fileRefs in a check, a ConfigHash in a divergence)
// fails here instead of quietly deriving the same fact again.
func TestEachDerivationHasOneCaller(t *testing.T) {
	want := map[string][]string{
		"fileRefs":           {"resolveService"},
		"injectedFiles":      {"resolveService"},
		"fieldHashes":        {"resolveService"},
		"templateSpec":       {"resolveService"},
		"network.Used":       {"resolveService"},
		"project.ConfigHash": {"resolveService"},
		// Once per project for a run, and once for a one-off's own service.
		"resolveService": {"NewRunPlan", "resolve"},
		"resolve":        {"Observe", "resolvedFor"},
	}
	got := callers(t)
	for _, callee := range slices.Sorted(maps.Keys(want)) {
		if c := got[callee]; !slices.Equal(c, want[callee]) {
			t.Errorf("%s is called from %v, want only from %v", callee, c, want[callee])
		}
	}
}

// callers maps each called name ("f" or "pkg.F") to the functions of the
// package's non-test files that call it, sorted, once each.
func callers(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if callee := calleeName(call.Fun); callee != "" && !slices.Contains(out[callee], fn.Name.Name) {
						out[callee] = append(out[callee], fn.Name.Name)
						slices.Sort(out[callee])
					}
				}
				return true
			})
		}
	}
	return out
}

func calleeName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}
