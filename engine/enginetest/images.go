package enginetest

import (
	"archive/tar"
	"bytes"
	"context"
	"slices"
	"testing"

	"berth/imagebuild"
)

func imageCases() []testCase {
	return []testCase{
		{"ImageInspect", testImageInspect},
		{"ImageImport", testImageImport},
		{"ImageBuild", testImageBuild},
	}
}

// removeImageLater removes ref when the test ends.
func (c *env) removeImageLater(t *testing.T, ref string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
		defer cancel()
		if err := c.eng.RemoveImage(ctx, ref, true); err != nil && !isNotFound(err) {
			t.Errorf("cleanup: remove image %q: %v", ref, err)
		}
	})
}

// tarOf is a tar stream of the given files.
func tarOf(t *testing.T, files map[string]string) *bytes.Buffer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		body := files[name]
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func testImageInspect(t *testing.T, c *env) {
	img, err := c.eng.InspectImage(c.ctx(t), c.cfg.Image)
	if err != nil {
		t.Fatalf("inspect %q: %v", c.cfg.Image, err)
	}
	if img.ID == "" || !slices.Contains(img.RepoTags, c.cfg.Image) {
		t.Errorf("inspected image %+v, want an ID and tag %q", img, c.cfg.Image)
	}
	missing := uniqueName("berth-test/missing") + ":latest"
	if _, err := c.eng.InspectImage(c.ctx(t), missing); !isNotFound(err) {
		t.Errorf("inspect %q: got %v, want ErrNotFound", missing, err)
	}
	if err := c.eng.RemoveImage(c.ctx(t), missing, false); !isNotFound(err) {
		t.Errorf("remove %q: got %v, want ErrNotFound", missing, err)
	}
}

func testImageImport(t *testing.T, c *env) {
	ref := uniqueName("berth-test/contract") + ":latest"
	c.removeImageLater(t, ref)
	rootfs := tarOf(t, map[string]string{"hello.txt": "hello\n"})
	id, err := c.eng.ImportImage(c.ctx(t), rootfs, ref, nil)
	if err != nil {
		t.Fatalf("import %q: %v", ref, err)
	}
	img, err := c.eng.InspectImage(c.ctx(t), ref)
	if err != nil {
		t.Fatalf("inspect imported %q: %v", ref, err)
	}
	if img.ID != id || !slices.Contains(img.RepoTags, ref) {
		t.Errorf("imported image %+v, want ID %s tag %q", img, id, ref)
	}
	if err := c.eng.RemoveImage(c.ctx(t), ref, false); err != nil {
		t.Fatalf("remove %q: %v", ref, err)
	}
	if _, err := c.eng.InspectImage(c.ctx(t), ref); !isNotFound(err) {
		t.Errorf("inspect removed %q: got %v, want ErrNotFound", ref, err)
	}
}

func testImageBuild(t *testing.T, c *env) {
	ref := uniqueName("berth-test/contract") + ":latest"
	c.removeImageLater(t, ref)
	req := imagebuild.Request{
		Service:    "web",
		Context:    tarOf(t, map[string]string{"Dockerfile": "FROM " + c.cfg.Image + "\nCMD [\"true\"]\n"}),
		Dockerfile: "Dockerfile",
		Tags:       []string{ref},
		Labels:     map[string]string{"berth.test": "yes"},
	}
	var lines []string
	id, err := c.eng.BuildImage(c.ctx(t), req, func(m imagebuild.Message) {
		if m.Line != "" || m.Trace != nil {
			lines = append(lines, m.Line)
		}
	})
	if err != nil {
		t.Fatalf("build %q: %v (output %q)", ref, err, lines)
	}
	img, err := c.eng.InspectImage(c.ctx(t), ref)
	if err != nil {
		t.Fatalf("inspect built %q: %v", ref, err)
	}
	if img.ID != id || img.Labels["berth.test"] != "yes" {
		t.Errorf("built image %+v, want ID %s and label berth.test=yes", img, id)
	}
	if len(lines) == 0 {
		t.Errorf("build gave no output lines")
	}
}
