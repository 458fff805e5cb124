package project

import (
	"maps"
	"testing"
)

func TestDigestsRoundTrip(t *testing.T) {
	m := map[string]string{"labels.b": ShortDigest([]byte("x")), "environment.A": ShortDigest(nil), "ipam": "00ff00ff"}
	v := EncodeDigests(m)
	if want := "environment.A=" + m["environment.A"] + ",ipam=00ff00ff,labels.b=" + m["labels.b"]; v != want {
		t.Fatalf("EncodeDigests = %q, want %q", v, want)
	}
	if got := DecodeDigests(v); !maps.Equal(got, m) {
		t.Fatalf("DecodeDigests(%q) = %v, want %v", v, got, m)
	}
	if got := len(ShortDigest([]byte("x"))); got != 8 {
		t.Fatalf("ShortDigest has %d digits, want 8", got)
	}
}

func TestDecodeDigestsSkipsPartsWithoutName(t *testing.T) {
	got := DecodeDigests("=1,noequals,a=b=2,,c=3")
	want := map[string]string{"a=b": "2", "c": "3"}
	if !maps.Equal(got, want) {
		t.Fatalf("DecodeDigests = %v, want %v", got, want)
	}
}
