package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/types"
)

// injectKeySize is the length of the inject key: SHA-256's output size, as
// much strength as HMAC-SHA256 can use.
const injectKeySize = 32

// injectKey is the key the reconciler labels injected secrets and configs
// with (reconciler.UpOptions.InjectKey): per user, random, kept in
// $XDG_CONFIG_HOME/berth/inject.key (~/.config/berth/inject.key). It is
// loaded here, not in the reconciler, so that planning reads no file; and
// only for a project that writes such files, so that other projects leave
// no key behind.
func injectKey(p *types.Project) ([]byte, error) {
	if !injectsFiles(p) {
		return nil, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("secrets and configs from environment: or content: need a key in the user's config directory: %w", err)
	}
	return loadOrCreateKey(filepath.Join(dir, "berth", "inject.key"))
}

// injectsFiles reports whether the project declares a secret or config
// with no host file: those from environment: or content:, which berth
// writes into the containers.
func injectsFiles(p *types.Project) bool {
	for _, s := range p.Secrets {
		if s.File == "" && !bool(s.External) {
			return true
		}
	}
	for _, c := range p.Configs {
		if c.File == "" && !bool(c.External) {
			return true
		}
	}
	return false
}

// loadOrCreateKey reads the key at path, creating it on first use. Two
// berths creating it at once agree: each writes a complete key to a file of
// its own and links it into place, and the one that loses reads the
// winner's.
func loadOrCreateKey(path string) ([]byte, error) {
	key, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key = make([]byte, injectKeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	// CreateTemp makes the file 0600: the key is never readable by others.
	tmp, err := os.CreateTemp(dir, ".inject.key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return readKey(path)
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// readKey reads a key file, refusing one that others may read (anyone who
// has the key can test guesses against the labels) or that is no key.
func readKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	key, err := io.ReadAll(io.LimitReader(f, injectKeySize+1))
	if err != nil {
		return nil, err
	}
	if len(key) != injectKeySize {
		return nil, fmt.Errorf("%s: not a %d-byte key; remove it to make a new one (containers with secrets from environment: or content: are then recreated once)", path, injectKeySize)
	}
	return key, nil
}
