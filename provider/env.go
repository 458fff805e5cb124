package provider

import (
	"maps"
	"slices"
	"strings"
)

// Prefix is what a provider service's `setenv` variables start with in its
// dependents: the service name uppercased, then "_".
func Prefix(service string) string { return strings.ToUpper(service) + "_" }

// Override is a variable a dependent declares that a provider's
// `rawsetenv` replaces.
type Override struct {
	Provider, Key string
}

// Merge gives a dependent the variables of its providers, in the order
// given (later providers win). env is the dependent's environment as
// declared, a nil value being a variable declared without one; it is not
// changed. Prefixed variables become PROVIDER_KEY; raw ones replace the
// declared KEY, and each replacement of a declared variable (one without a
// value included) whose value differs is returned, so it can be reported.
func Merge(env map[string]*string, providers []string, vars map[string]Vars) (map[string]*string, []Override) {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]*string{}
	}
	var overrides []Override
	for _, name := range providers {
		v := vars[name]
		for _, key := range slices.Sorted(maps.Keys(v.Prefixed)) {
			out[Prefix(name)+key] = ptr(v.Prefixed[key])
		}
		for _, key := range slices.Sorted(maps.Keys(v.Raw)) {
			val := v.Raw[key]
			if old, declared := env[key]; declared && (old == nil || *old != val) {
				overrides = append(overrides, Override{Provider: name, Key: key})
			}
			out[key] = ptr(val)
		}
	}
	return out, overrides
}

func ptr(s string) *string { return &s }
