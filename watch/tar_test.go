package watch

import (
	"archive/tar"
	"slices"
	"testing"
)

// A directory that the tar's own files lie in is implied; an empty one is
// kept, since nothing else would create it.
func TestWithoutImpliedDirs(t *testing.T) {
	in := []member{
		{h: &tar.Header{Name: "app/sub/", Typeflag: tar.TypeDir}},
		{h: &tar.Header{Name: "app/sub/a.txt", Typeflag: tar.TypeReg}},
		{h: &tar.Header{Name: "app/sub/deep/", Typeflag: tar.TypeDir}},
		{h: &tar.Header{Name: "app/sub/deep/b.txt", Typeflag: tar.TypeReg}},
		{h: &tar.Header{Name: "app/empty/", Typeflag: tar.TypeDir}},
	}
	var got []string
	for _, m := range withoutImpliedDirs(in) {
		got = append(got, m.h.Name)
	}
	want := []string{"app/sub/a.txt", "app/sub/deep/b.txt", "app/empty/"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}
