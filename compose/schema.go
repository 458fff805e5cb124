package compose

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

var (
	schemaFailureRE = regexp.MustCompile(`^validating (.+?): ((?s).*)$`)
	additionalRE    = regexp.MustCompile(`^additional properties (.+) not allowed$`)
	quotedRE        = regexp.MustCompile(`'([^']*)'`)
)

// explainSchema handles a schema violation. compose-go names the file and
// the key path ("services.db.imgae false schema"); the position comes from
// the file, the suggestion from the keys the schema allows there.
func (s *sources) explainSchema(err error) error {
	m := schemaFailureRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	file := m[1]
	pathText, msg, _ := strings.Cut(m[2], " ")
	var path []string
	if pathText != "" {
		path = strings.Split(pathText, ".")
	}
	switch {
	case msg == "false schema" && len(path) > 0:
		return s.unknownKey(file, path[:len(path)-1], path[len(path)-1], err)
	case additionalRE.MatchString(msg):
		var errs []error
		for _, q := range quotedRE.FindAllStringSubmatch(msg, -1) {
			errs = append(errs, s.unknownKey(file, path, q[1], err))
		}
		return errors.Join(errs...)
	}
	f, at, _ := s.find(file, path, nil)
	return s.at(f, at, path, msg, err)
}

// unknownKey reports key, which the schema does not allow below parent.
func (s *sources) unknownKey(file string, parent []string, key string, err error) error {
	f, at, _ := s.find(file, append(append([]string{}, parent...), key), nil)
	what := "unknown key "
	if len(parent) == 0 {
		what = "unknown top-level key "
	}
	msg := what + strconv.Quote(key) + didYouMean(key, allowedKeys(parent))
	return s.at(f, at, parent, msg, err)
}
