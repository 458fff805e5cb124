package compose

import (
	"cmp"
	"reflect"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// unsupported lists the keys berth accepts (they are valid compose) but does
// not apply yet. Each one found in a project is named in one warning line, so
// nothing is dropped silently. A path names the key as the file spells it;
// "*" stands for any service, network or other name.
//
// KEEP THIS LIST CURRENT: when a feature lands, remove its key here in the
// same change (and its test case in unsupported_test.go).
var unsupported = []struct {
	path tree.Path
	why  string // what the user should know, after "not applied by berth yet"
}{
	{"models", "models are not run"},
	{"services.*.models", ""},
	{"services.*.gpus", ""},
	{"services.*.deploy.placement", "placement applies to Swarm only"},
	{"services.*.deploy.update_config", "applies to Swarm only"},
	{"services.*.deploy.rollback_config", "applies to Swarm only"},
	{"services.*.deploy.endpoint_mode", "applies to Swarm only"},
	{"services.*.deploy.resources.reservations.devices", ""},
	{"services.*.deploy.resources.reservations.generic_resources", ""},
	{"services.*.blkio_config", ""},
	{"services.*.credential_spec", "Windows only"},
	{"services.*.isolation", "Windows only"},
	{"services.*.cpu_count", "Windows only"},
	{"services.*.cpu_percent", "Windows only"},
	{"services.*.use_api_socket", ""},
	{"services.*.networks.*.link_local_ips", ""},
}

// unsupportedFound lists the unsupported keys set in p, by the path the
// file spells them with. It reads the loaded model, so keys that came from
// any file (an override, an include, extends) are found, and only the
// services p runs are looked at: DisabledServices has no yaml name, so a
// service whose profile is off, or that was not selected, says nothing.
func unsupportedFound(p *types.Project) []tree.Path {
	var found []tree.Path
	walkSet(reflect.ValueOf(p).Elem(), "", &found, 0)
	return found
}

// walkSet descends v, which the file reaches at path, only as far as a
// pattern of unsupported can still match, and records each match whose
// value is set.
func walkSet(v reflect.Value, path tree.Path, found *[]tree.Path, depth int) {
	if depth > maxCodecDepth {
		return
	}
	if path != "" && isUnsupported(path) {
		// A key written with an empty value ("develop: {}") is a set pointer.
		if !v.IsZero() {
			*found = append(*found, path)
		}
		return
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			name, inline := yamlName(v.Type().Field(i))
			switch {
			case inline:
				walkSet(v.Field(i), path, found, depth+1)
			case name != "" && leadsToUnsupported(path.Next(name)):
				walkSet(v.Field(i), path.Next(name), found, depth+1)
			}
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if next := path.Next(k.String()); leadsToUnsupported(next) {
				walkSet(v.MapIndex(k), next, found, depth+1)
			}
		}
	}
}

// yamlName is the key a struct field is written with; "" for fields that
// are no key of the file (yaml:"-", the x- extensions, unexported fields).
func yamlName(f reflect.StructField) (name string, inline bool) {
	if !f.IsExported() {
		return "", false
	}
	tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" || strings.HasPrefix(tag, "#") {
		return "", false
	}
	if slices.Contains(strings.Split(opts, ","), "inline") || (f.Anonymous && tag == "") {
		return "", true
	}
	if tag == "" {
		return strings.ToLower(f.Name), false
	}
	return tag, false
}

func isUnsupported(path tree.Path) bool {
	for _, u := range unsupported {
		if path.Matches(u.path) {
			return true
		}
	}
	return false
}

// leadsToUnsupported tells whether path matches the start of a pattern, so
// that a key below it may be unsupported. (Path.Next keeps a dotted name
// such as "my.app" one part.)
func leadsToUnsupported(path tree.Path) bool {
	parts := path.Parts()
	for _, u := range unsupported {
		if pattern := u.path.Parts(); len(parts) <= len(pattern) && path.Matches(tree.NewPath(pattern[:len(parts)]...)) {
			return true
		}
	}
	return false
}

// unsupportedWarnings names each unsupported key of p, located in the files
// where the reader wrote it, and explains it.
func (s *sources) unsupportedWarnings(p *types.Project) []Warning {
	found := unsupportedFound(p)
	ws := make([]Warning, 0, len(found))
	for _, f := range found {
		w := Warning{Path: f.String(), Text: "not applied by berth yet, ignored"}
		for _, u := range unsupported {
			if f.Matches(u.path) && u.why != "" {
				w.Text += " (" + u.why + ")"
			}
		}
		if file, at, _ := s.find("", strings.Split(f.String(), "."), nil); at != nil {
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
