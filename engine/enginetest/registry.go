package enginetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"berth/engine"
)

func registryCases() []testCase {
	return []testCase{
		{"RegistryPushPull", testRegistryPushPull},
		{"RegistryPullMissing", testRegistryPullMissing},
		{"RegistryPushMissing", testRegistryPushMissing},
		{"RegistryResolveDigest", testRegistryResolveDigest},
	}
}

// registry is the registry the case uses; it skips the case when the run
// has none.
func (c *env) registry(t *testing.T) string {
	t.Helper()
	if c.cfg.Registry == "" {
		t.Skip("no registry configured (Config.Registry)")
	}
	return c.cfg.Registry
}

// transfers records the progress of a pull or push.
type transfers struct{ msgs []engine.TransferProgress }

func (r *transfers) add(p engine.TransferProgress) { r.msgs = append(r.msgs, p) }

// digest is the "Digest: sha256:…" a pull reports.
func (r *transfers) digest() string {
	for _, m := range r.msgs {
		if d, ok := strings.CutPrefix(m.Status, "Digest: "); ok {
			return d
		}
	}
	return ""
}

func (r *transfers) layerMessages() int {
	n := 0
	for _, m := range r.msgs {
		if m.Layer != "" {
			n++
		}
	}
	return n
}

// testRegistryPushPull pushes the suite's image under a new name, drops the
// local tag, pulls it back by tag and by digest, and finds the same image.
func testRegistryPushPull(t *testing.T, c *env) {
	name := c.registry(t) + "/" + uniqueName("berth-test/contract")
	ref := name + ":v1"
	want := c.imageID(t, c.cfg.Image)
	if err := c.eng.TagImage(c.ctx(t), c.cfg.Image, ref); err != nil {
		t.Fatalf("tag %q: %v", ref, err)
	}
	c.removeImageLater(t, ref)
	var pushed transfers
	if err := c.eng.PushImage(c.ctx(t), ref, engine.PushOptions{}, pushed.add); err != nil {
		t.Fatalf("push %q: %v", ref, err)
	}
	if pushed.layerMessages() == 0 {
		t.Errorf("push of %q reported no layer progress: %+v", ref, pushed.msgs)
	}
	if err := c.eng.RemoveImage(c.ctx(t), ref, false); err != nil {
		t.Fatalf("untag %q: %v", ref, err)
	}
	var pulled transfers
	if err := c.eng.PullImage(c.ctx(t), ref, engine.PullOptions{}, pulled.add); err != nil {
		t.Fatalf("pull %q: %v", ref, err)
	}
	if got := c.imageID(t, ref); got != want {
		t.Errorf("pulled %q is %s, want %s", ref, got, want)
	}
	digest := pulled.digest()
	if digest == "" {
		t.Fatalf("pull of %q reported no digest: %+v", ref, pulled.msgs)
	}
	byDigest := name + "@" + digest
	c.removeImageLater(t, byDigest)
	if err := c.eng.PullImage(c.ctx(t), byDigest, engine.PullOptions{}, nil); err != nil {
		t.Fatalf("pull %q: %v", byDigest, err)
	}
	if got := c.imageID(t, byDigest); got != want {
		t.Errorf("pulled %q is %s, want %s", byDigest, got, want)
	}
}

func testRegistryPullMissing(t *testing.T, c *env) {
	ref := c.registry(t) + "/" + uniqueName("berth-test/absent") + ":v1"
	err := c.eng.PullImage(c.ctx(t), ref, engine.PullOptions{}, nil)
	if !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("pull %q: got %v, want ErrNotFound", ref, err)
	}
	if !strings.Contains(err.Error(), ref) && !strings.Contains(err.Error(), strings.TrimSuffix(ref, ":v1")) {
		t.Errorf("pull error %q does not name %q", err, ref)
	}
}

func testRegistryPushMissing(t *testing.T, c *env) {
	ref := c.registry(t) + "/" + uniqueName("berth-test/absent") + ":v1"
	err := c.eng.PushImage(c.ctx(t), ref, engine.PushOptions{}, nil)
	if !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("push %q: got %v, want ErrNotFound", ref, err)
	}
}

// testRegistryResolveDigest: the registry names the digest a push
// reported, without the engine pulling; a tag it lacks is ErrNotFound.
func testRegistryResolveDigest(t *testing.T, c *env) {
	ref := c.registry(t) + "/" + uniqueName("berth-test/resolve") + ":v1"
	if err := c.eng.TagImage(c.ctx(t), c.cfg.Image, ref); err != nil {
		t.Fatalf("tag %q: %v", ref, err)
	}
	c.removeImageLater(t, ref)
	var pushed transfers
	if err := c.eng.PushImage(c.ctx(t), ref, engine.PushOptions{}, pushed.add); err != nil {
		t.Fatalf("push %q: %v", ref, err)
	}
	want := pushed.pushDigest()
	got, err := c.eng.ResolveDigest(c.ctx(t), ref, nil)
	if err != nil || got != want {
		t.Errorf("resolve %q: %q, %v; the push reported %q", ref, got, err, want)
	}
	missing := strings.TrimSuffix(ref, ":v1") + ":absent"
	if d, err := c.eng.ResolveDigest(c.ctx(t), missing, nil); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("resolve %q: %q, %v; want ErrNotFound", missing, d, err)
	}
}

// pushDigest is the digest in the push's last message ("v1: digest:
// sha256:… size: 527").
func (r *transfers) pushDigest() string {
	for _, m := range r.msgs {
		if _, after, ok := strings.Cut(m.Status, "digest: "); ok {
			return strings.Fields(after)[0]
		}
	}
	return ""
}

func (c *env) imageID(t *testing.T, ref string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	defer cancel()
	img, err := c.eng.InspectImage(ctx, ref)
	if err != nil {
		t.Fatalf("inspect %q: %v", ref, err)
	}
	return img.ID
}
