package watch

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// testProject is a project in dir whose service web has triggers.
func testProject(dir string, triggers ...types.Trigger) *types.Project {
	web := types.ServiceConfig{Name: "web"}
	web.Build = &types.BuildConfig{Context: dir}
	web.Develop = &types.DevelopConfig{Watch: triggers}
	return &types.Project{Name: "p", WorkingDir: dir, Services: types.Services{"web": web}}
}

func mustRules(t *testing.T, p *types.Project) []Rule {
	t.Helper()
	rules, err := Rules(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func TestRulesRejectWhatCannotWork(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Dockerfile"), "FROM scratch")
	for _, c := range []struct {
		trigger types.Trigger
		want    string
	}{
		{types.Trigger{Path: "./src", Action: "sync", Target: "/app"}, `service "web" develop.watch[0]: path ` + filepath.Join(dir, "src") + ` does not exist`},
		{types.Trigger{Path: ".", Action: "sync"}, "action sync needs a target"},
		{types.Trigger{Path: ".", Action: "sync", Target: "app"}, `target "app" must be an absolute path`},
		{types.Trigger{Path: ".", Action: "sync+exec", Target: "/app"}, "sync+exec needs exec.command"},
		{types.Trigger{Path: ".", Action: "copy"}, `unknown action "copy"`},
	} {
		_, err := Rules(testProject(dir, c.trigger), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.trigger, err, c.want)
		}
	}
	p := testProject(dir)
	p.Services["web"] = types.ServiceConfig{Name: "web"}
	if _, err := Rules(p, nil); err != ErrNoWatch {
		t.Errorf("no develop section: got %v", err)
	}
}

func TestPlanMatchesIgnoreIncludeAndDockerignore(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Dockerfile"), "FROM scratch")
	write(t, filepath.Join(dir, ".dockerignore"), "docs\n")
	write(t, filepath.Join(dir, "src", "index.js"), "")
	write(t, filepath.Join(dir, "package.json"), "{}")
	p := testProject(dir,
		types.Trigger{Path: "./src", Action: "sync+restart", Target: "/app/src", Ignore: []string{"*.test.js", "tmp/"}},
		types.Trigger{Path: ".", Action: "sync", Target: "/app/assets", Include: []string{"*.css"}},
		types.Trigger{Path: ".", Action: "rebuild", Include: []string{"package.json", "docs"}},
	)
	rules := mustRules(t, p)
	j := func(rel string) string { return filepath.Join(dir, rel) }

	got := Plan(rules, []string{j("src/index.js"), j("src/a.test.js"), j("src/tmp/x"), j("src/lib/y.js"), j("style.css"), j("src/.index.js.swp")})
	want := "sync+restart /app/src/index.js /app/src/lib/y.js\nsync /app/assets/style.css\n"
	if s := planString(got); s != want {
		t.Errorf("got\n%swant\n%s", s, want)
	}
	// docs/ is outside the build context's view: no rebuild.
	if got := Plan(rules, []string{j("docs/x.md")}); len(got) != 0 {
		t.Errorf("a .dockerignored file planned %s", planString(got))
	}
	// A rebuild replaces the service's syncs in the same batch.
	got = Plan(rules, []string{j("package.json"), j("style.css")})
	if s := planString(got); s != "rebuild\n" {
		t.Errorf("got %q, want only the rebuild", s)
	}
}

func planString(actions []Action) string {
	var b strings.Builder
	for _, a := range actions {
		b.WriteString(string(a.Rule.Action))
		if a.Rule.Syncs() {
			for _, f := range a.Files {
				b.WriteString(" " + f.Container)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestPayloadDeletesMissingAndRefusesEscapingSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	src := filepath.Join(dir, "src")
	write(t, filepath.Join(src, "a.js"), "A")
	write(t, filepath.Join(outside, "secret"), "S")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(src, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.js", filepath.Join(src, "alias")); err != nil {
		t.Fatal(err)
	}
	rules := mustRules(t, testProject(dir, types.Trigger{Path: "./src", Action: "sync", Target: "/app"}))
	batch := []string{filepath.Join(src, "a.js"), filepath.Join(src, "alias"), filepath.Join(src, "evil"), filepath.Join(src, "gone.js")}
	a := Plan(rules, batch)[0]
	pl, err := readPayload(a.Rule, a.Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.refused) != 1 || pl.refused[0].file != filepath.Join(src, "evil") {
		t.Errorf("refused %v, want the link out of src", pl.refused)
	}
	if len(pl.deletes) != 1 || pl.deletes[0] != "/app/gone.js" {
		t.Errorf("deletes %v", pl.deletes)
	}
	tr := tar.NewReader(bytes.NewReader(pl.tar))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name+">"+h.Linkname)
	}
	if strings.Join(names, " ") != "app/a.js> app/alias>a.js" {
		t.Errorf("tar holds %v", names)
	}
}
