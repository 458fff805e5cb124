package compose

import (
	"cmp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// unsupported lists the keys berth accepts (they are valid compose) but does
// not apply yet. Each one found in a project is named in one warning line, so
// nothing is dropped silently.
//
// KEEP THIS LIST CURRENT: when a feature lands, remove its key here in the
// same change (and its test case in unsupported_test.go).
var unsupported = []struct {
	path tree.Path
	why  string // what the user should know, after "not applied by berth yet"
}{
	{"models", "models are not run"},
	{"jobs", "jobs are not run"},
	{"services.*.develop", "file watching is not implemented"},
	{"services.*.models", ""},
	{"services.*.provider", "provider services are not run"},
	{"services.*.gpus", ""},
	{"services.*.deploy.placement", "placement applies to Swarm only"},
	{"services.*.deploy.update_config", "applies to Swarm only"},
	{"services.*.deploy.rollback_config", "applies to Swarm only"},
	{"services.*.deploy.endpoint_mode", "applies to Swarm only"},
	{"services.*.deploy.resources.reservations.devices", ""},
	{"services.*.deploy.resources.reservations.generic_resources", ""},
	{"services.*.post_start", "lifecycle hooks are not run"},
	{"services.*.pre_start", "lifecycle hooks are not run"},
	{"services.*.pre_stop", "lifecycle hooks are not run"},
	{"services.*.blkio_config", ""},
	{"services.*.credential_spec", "Windows only"},
	{"services.*.isolation", "Windows only"},
	{"services.*.use_api_socket", ""},
	{"services.*.networks.*.driver_opts", ""},
	{"services.*.networks.*.link_local_ips", ""},
}

// unsupportedCheck asks compose-go to report the unsupported keys of the
// merged model; found receives them once the model is loaded.
func unsupportedCheck(found *[]loader.UnsupportedAttribute) func(*loader.Options) {
	patterns := make([]loader.UnsupportedAttributePattern, len(unsupported))
	for i, u := range unsupported {
		patterns[i] = loader.UnsupportedAttributePattern{Path: u.path}
	}
	return loader.WithUnsupportedAttributesCheck(patterns, func(attrs []loader.UnsupportedAttribute) {
		*found = attrs
	})
}

// unsupportedWarnings locates each finding in the files and explains it.
// Services that are not part of p (a profile is off, or not selected) are
// not run, so what they say does not matter.
func (s *sources) unsupportedWarnings(found []loader.UnsupportedAttribute, p *types.Project) []Warning {
	var ws []Warning
	for _, f := range found {
		path := strings.Split(f.Path.String(), ".")
		if _, active := p.Services[path[min(1, len(path)-1)]]; path[0] == "services" && !active {
			continue
		}
		w := Warning{Path: f.Path.String(), Text: "not applied by berth yet, ignored"}
		for _, u := range unsupported {
			if f.Path.Matches(u.path) && u.why != "" {
				w.Text += " (" + u.why + ")"
			}
		}
		if file, at, _ := s.find("", path, nil); at != nil {
			w.File, w.Line, w.Column = s.display(file), at.Line, at.Column
		}
		ws = append(ws, w)
	}
	// In the order of the files, as a reader meets them.
	slices.SortStableFunc(ws, func(a, b Warning) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return ws
}
