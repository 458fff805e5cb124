package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The message types a provider writes.
const (
	TypeInfo      = "info"
	TypeError     = "error"
	TypeDebug     = "debug"
	TypeSetEnv    = "setenv"
	TypeRawSetEnv = "rawsetenv"
)

// Message is one JSON object of a provider's stdout.
type Message struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Vars are the variables a provider hands its dependents: Prefixed by
// `setenv` (given to them as SERVICE_KEY), Raw by `rawsetenv` (given as
// KEY).
type Vars struct {
	Prefixed map[string]string
	Raw      map[string]string
}

// Empty reports whether the provider set no variable.
func (v Vars) Empty() bool { return len(v.Prefixed) == 0 && len(v.Raw) == 0 }

// Parse reads a provider's messages until the end of r. Info and debug
// messages go to report as they come; the variables come back. An error
// message ends the run with its text; a message berth cannot read, of an
// unknown type or a setenv without "=", is an error naming it.
func Parse(r io.Reader, report func(Message)) (Vars, error) {
	v := Vars{Prefixed: map[string]string{}, Raw: map[string]string{}}
	dec := json.NewDecoder(r)
	for {
		var m Message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return v, nil
		}
		if err != nil {
			return Vars{}, fmt.Errorf("invalid response from provider: %w", err)
		}
		switch m.Type {
		case TypeInfo, TypeDebug:
			report(m)
		case TypeError:
			return Vars{}, errors.New(m.Message)
		case TypeSetEnv, TypeRawSetEnv:
			key, val, ok := strings.Cut(m.Message, "=")
			if !ok || key == "" {
				return Vars{}, fmt.Errorf("invalid response from provider: %s %q is not KEY=VALUE", m.Type, m.Message)
			}
			if m.Type == TypeSetEnv {
				v.Prefixed[key] = val
			} else {
				v.Raw[key] = val
			}
		default:
			return Vars{}, fmt.Errorf("invalid response from provider: unknown message type %q", m.Type)
		}
	}
}

// FirstLine is the first line of a message, what progress shows of it.
func FirstLine(s string) string {
	s = strings.TrimRight(s, "\r\n")
	line, _, _ := strings.Cut(s, "\n")
	return line
}
