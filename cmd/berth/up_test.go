package main

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/reconciler"
)

func TestUpFlagValidation(t *testing.T) {
	cases := []struct {
		o    upOptions
		want string
	}{
		{upOptions{UpOptions: reconciler.UpOptions{ForceRecreate: true, NoRecreate: true}}, "--force-recreate and --no-recreate are incompatible"},
		{upOptions{UpOptions: reconciler.UpOptions{AlwaysRecreateDeps: true, NoRecreate: true}}, "--always-recreate-deps and --no-recreate are incompatible"},
		{upOptions{UpOptions: reconciler.UpOptions{Build: true, NoBuild: true}}, "--build and --no-build are incompatible"},
		{upOptions{UpOptions: reconciler.UpOptions{Pull: "sometimes"}}, `invalid --pull option "sometimes"`},
		{upOptions{UpOptions: reconciler.UpOptions{Pull: "never"}}, ""},
		{upOptions{UpOptions: reconciler.UpOptions{Pull: "always"}}, ""},
		{upOptions{UpOptions: reconciler.UpOptions{Pull: "policy"}}, ""},
	}
	for _, c := range cases {
		err := c.o.validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.o.UpOptions, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: err = %v, want %q", c.o.UpOptions, err, c.want)
		}
	}
}

func TestUpScaleFlag(t *testing.T) {
	p := mustLoadProject(t)
	for _, bad := range []string{"web", "web=x", "web=-1", "nosuch=2"} {
		if _, err := (upOptions{scale: []string{bad}}).resolve(p, nil); err == nil {
			t.Errorf("--scale %s accepted", bad)
		}
	}
	uo, err := (upOptions{scale: []string{"web=3"}}).resolve(p, nil)
	if err != nil || uo.Scale["web"] != 3 || uo.Timeout != nil {
		t.Errorf("resolve: %+v, %v", uo, err)
	}
}

// mustLoadProject is a one-service project, as the loader would give it.
func mustLoadProject(t *testing.T) *types.Project {
	t.Helper()
	return &types.Project{Name: "demo", Services: types.Services{"web": {Name: "web"}}}
}
