package enginetest

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"berth/engine"
)

func commitCases() []testCase {
	return []testCase{
		{"CommitMakesTaggedImage", testCommit},
		{"ExportHoldsContainerFiles", testExport},
	}
}

func testCommit(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "true"))
	ref := c.project + "-commit:latest"
	c.removeImageLater(t, ref)
	imageID, err := c.eng.CommitContainer(c.ctx(t), id, engine.CommitOptions{Ref: ref, Author: "berth", Message: "test",
		Changes: []string{"LABEL io.berth.test=committed"}})
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	img, err := c.eng.InspectImage(c.ctx(t), ref)
	if err != nil {
		t.Fatalf("inspect the committed image: %v", err)
	}
	if img.ID != imageID || img.Labels["io.berth.test"] != "committed" {
		t.Errorf("committed image: ID %s (commit said %s), labels %v", img.ID, imageID, img.Labels)
	}
	if _, err := c.eng.CommitContainer(c.ctx(t), "berth-no-such-container", engine.CommitOptions{}); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("commit of a missing container: %v, want ErrNotFound", err)
	}
}

func testExport(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "true"))
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "marker.txt", Size: 5, Mode: 0o644})
	_, _ = tw.Write([]byte("hello"))
	_ = tw.Close()
	if err := c.eng.CopyTo(c.ctx(t), id, "/tmp", &in, false); err != nil {
		t.Fatalf("copy in: %v", err)
	}
	rc, err := c.eng.Export(c.ctx(t), id)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("export has no tmp/marker.txt (%v)", err)
		}
		if strings.TrimPrefix(h.Name, "/") == "tmp/marker.txt" {
			b, _ := io.ReadAll(tr)
			if string(b) != "hello" {
				t.Errorf("exported marker: %q", b)
			}
			return
		}
	}
}
