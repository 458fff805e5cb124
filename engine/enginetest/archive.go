package enginetest

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"
)

func archiveCases() []testCase {
	return []testCase{
		{"ArchiveRoundTrip", testArchiveRoundTrip},
		{"ArchiveMissingPathNotFound", testArchiveMissing},
	}
}

// testArchiveRoundTrip writes a tar into a created container, then reads
// the file back through stat and copy-from, as cp and secret injection do.
func testArchiveRoundTrip(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "true"))
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	content := "hello from the contract\n"
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "berth-archive/note.txt", Mode: 0o640, Size: int64(len(content))}); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(tw, content)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.eng.CopyTo(c.ctx(t), id, "/", &buf, false); err != nil {
		t.Fatalf("copy to: %v", err)
	}
	st, err := c.eng.StatPath(c.ctx(t), id, "/berth-archive/note.txt")
	if err != nil || st.Name != "note.txt" || st.Size != int64(len(content)) || st.Mode.IsDir() {
		t.Fatalf("stat file: %+v, %v", st, err)
	}
	if st, err := c.eng.StatPath(c.ctx(t), id, "/berth-archive"); err != nil || !st.Mode.IsDir() {
		t.Errorf("stat dir: %+v, %v; want a directory", st, err)
	}
	rc, _, err := c.eng.CopyFrom(c.ctx(t), id, "/berth-archive/note.txt")
	if err != nil {
		t.Fatalf("copy from: %v", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "note.txt" {
		t.Fatalf("first entry %+v, %v; want note.txt", hdr, err)
	}
	if got, _ := io.ReadAll(tr); string(got) != content {
		t.Errorf("content %q, want %q", got, content)
	}
}

func testArchiveMissing(t *testing.T, c *env) {
	id := c.create(t, c.spec("web", "true"))
	if _, err := c.eng.StatPath(c.ctx(t), id, "/no/such/path"); !isNotFound(err) {
		t.Errorf("stat missing: got %v, want ErrNotFound", err)
	}
	if _, _, err := c.eng.CopyFrom(c.ctx(t), id, "/no/such/path"); !isNotFound(err) {
		t.Errorf("copy from missing: got %v, want ErrNotFound", err)
	}
}
