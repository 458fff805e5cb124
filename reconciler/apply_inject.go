package reconciler

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// injectedLabel is the project.LabelInjected value for files under key ("" for
// none), which marks the content of the secrets and configs berth writes
// into a container, so that a changed value recreates it although the
// service's own config hash is the same. It is an HMAC under the user's
// inject key (UpOptions.InjectKey), never a plain digest: a label is
// readable by anyone who may inspect the container, and a short secret (a
// PIN, a word) falls to brute force against any unkeyed digest of it.
// Without a key there is nothing safe to publish, so it is "" too:
// preflight refuses that case for up before anything is created.
//
// The key is per user and per machine: a container created under another
// key (another user, another machine, a lost key file) carries a value this
// one cannot reproduce, so it is recreated once. That is the price of
// publishing nothing that a guess at the secret could be checked against.
func injectedLabel(key []byte, files []InjectedFile) string {
	if len(files) == 0 || len(key) == 0 {
		return ""
	}
	mac := hmac.New(sha256.New, key)
	for _, f := range files {
		// Length-prefixed fields: no two file lists write the same bytes.
		for _, field := range [][]byte{[]byte(f.Path), f.Content} {
			_ = binary.Write(mac, binary.BigEndian, uint64(len(field)))
			mac.Write(field)
		}
		_ = binary.Write(mac, binary.BigEndian, [3]int64{int64(f.Mode), int64(f.UID), int64(f.GID)})
	}
	return "hmac-sha256:" + hex.EncodeToString(mac.Sum(nil)[:16])
}

// inject writes the secrets and configs given by environment: or content:
// into the created container, through the engine's archive API, before it
// starts: the way Docker Compose provides them without a host file.
func (a *applier) inject(ctx context.Context, act Action) error {
	if len(act.Inject) == 0 {
		return nil
	}
	body, err := injectTar(act.Inject)
	if err != nil {
		return failure(act, "write secrets and configs into container", err)
	}
	return failure(act, "write secrets and configs into container", a.eng.CopyTo(ctx, act.Container.Name, "/", body, true))
}

// injectTar is the tar of the files, paths relative to "/"; the engine
// makes the missing parent directories.
func injectTar(files []InjectedFile) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	for _, f := range files {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(f.Path, "/"), Size: int64(len(f.Content)),
			Mode: int64(f.Mode), Uid: f.UID, Gid: f.GID, ModTime: now}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Content); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}
