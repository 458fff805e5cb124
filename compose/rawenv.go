package compose

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// rawFormat is env_file's `format: raw`: the file is read as `docker run
// --env-file` reads one, not as a .env file. Values are taken verbatim:
// no quotes are removed, no ${VAR} is interpolated, and a # inside a value
// is part of it. compose-go parses env files through a registry of formats;
// berth adds this one, as Docker Compose does.
const rawFormat = "raw"

func init() {
	dotenv.RegisterFormat(rawFormat, parseRawEnv)
}

// parseRawEnv reads KEY=VALUE lines into vars. Leading blanks are ignored,
// and so are empty lines and lines starting with #. A line holding only a
// name takes the value lookup gives it, and is left out when lookup has
// none. A name holding blanks is an error naming the file and line.
func parseRawEnv(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
		}
		if !utf8.Valid(b) {
			return fmt.Errorf("%s:%d: env file holds invalid UTF-8", filename, n)
		}
		line := strings.TrimLeftFunc(string(b), unicode.IsSpace)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, hasValue := strings.Cut(line, "=")
		if !hasValue {
			name = strings.TrimRightFunc(name, unicode.IsSpace)
		}
		switch {
		case name == "":
			return fmt.Errorf("%s:%d: no variable name on line %q", filename, n, line)
		case strings.IndexFunc(name, unicode.IsSpace) >= 0:
			return fmt.Errorf("%s:%d: variable '%s' contains whitespaces", filename, n, name)
		}
		if !hasValue {
			if lookup == nil {
				continue
			}
			if value, hasValue = lookup(name); !hasValue {
				continue
			}
		}
		vars[name] = value
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("failed to read %s: %w", filename, err)
	}
	return nil
}
