package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"berth/reconciler"
)

// recordedPull replays testdata/pull-registry.jsonl, the messages Docker
// Engine 20.10 sent while pulling a three-layer image (one layer already
// present) from a docker-registry on a loopback port, as the adapter turns
// them into progress events.
func recordedPull(t *testing.T, ref string) []reconciler.ProgressEvent {
	t.Helper()
	f, err := os.Open("testdata/pull-registry.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs := []reconciler.ProgressEvent{{Kind: "Image", Name: ref, Service: "app", Status: "Pulling"}}
	sc := bufio.NewScanner(f)
	layer := regexp.MustCompile(`^[0-9a-f]{12}$`)
	for sc.Scan() {
		var m struct {
			Status, ID     string
			ProgressDetail struct{ Current, Total int64 }
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		e := reconciler.ProgressEvent{Kind: "Image", Name: ref, Service: "app", Status: "Pulling", Detail: m.Status,
			Current: m.ProgressDetail.Current, Total: m.ProgressDetail.Total}
		if layer.MatchString(m.ID) {
			e.Layer = m.ID
		}
		evs = append(evs, e)
	}
	return append(evs, reconciler.ProgressEvent{Kind: "Image", Name: ref, Service: "app", Status: "Pulled", Done: true})
}

func TestTTYRendersRecordedPull(t *testing.T) {
	const ref = "127.0.0.1:5000/rec/app:1"
	var out bytes.Buffer
	r := &ttyRenderer{w: &out, index: map[string]int{}}
	r.Event(reconciler.ProgressEvent{Kind: "Container", Name: "demo-db-1", Status: "Running", Done: true})
	for _, e := range recordedPull(t, ref) {
		r.Event(e)
	}
	r.Close()
	frames := strings.Split(out.String(), "\x1b[2A") // two lines, redrawn in place
	if len(frames) < 5 {
		t.Fatalf("%d redraws, want one per message that moved the bar:\n%q", len(frames)-1, out.String())
	}
	var sawBar, sawDone bool
	var last string
	bytesDone := regexp.MustCompile(`\] ([0-9.]+)([kM]?B)/`)
	for _, f := range frames[1:] { // frames[0] is from before the image's line existed
		lines := strings.Split(strings.TrimSuffix(f, "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("frame has %d lines, want one per resource:\n%q", len(lines), f)
		}
		img := lines[1]
		if strings.Contains(img, "⠿ Image "+ref+"  Pulling [") && strings.Contains(img, "/4.502MB") {
			sawBar = true
		}
		if m := bytesDone.FindStringSubmatch(img); m != nil && last != "" && m[2] == "kB" && strings.HasSuffix(last, "MB") {
			t.Errorf("the bar went back: %s after %s", m[0], last)
		} else if m != nil {
			last = m[1] + m[2]
		}
		sawDone = strings.HasSuffix(img, "✔ Image "+ref+"  Pulled")
	}
	if !sawBar || !sawDone {
		t.Errorf("bar seen %v, Pulled last %v; output:\n%s", sawBar, sawDone, out.String())
	}
	if !strings.Contains(out.String(), "3/3 layers") {
		t.Errorf("layers never all done (3/3):\n%s", out.String())
	}
}

func TestPlainRendersRecordedPull(t *testing.T) {
	const ref = "127.0.0.1:5000/rec/app:1"
	var out bytes.Buffer
	r := &plainRenderer{w: &out}
	for _, e := range recordedPull(t, ref) {
		r.Event(e)
	}
	want := ` Image 127.0.0.1:5000/rec/app:1 Pulling
 8a54d323b375 Already exists
 2585c8987f12 Pulling fs layer
 61374aa32864 Pulling fs layer
 2585c8987f12 Download complete
 61374aa32864 Download complete
 2585c8987f12 Pull complete
 61374aa32864 Pull complete
 Image 127.0.0.1:5000/rec/app:1 Pulled
`
	if out.String() != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestJSONRendersRecordedPull(t *testing.T) {
	var out bytes.Buffer
	r := &jsonRenderer{w: &out}
	evs := recordedPull(t, "127.0.0.1:5000/rec/app:1")
	for _, e := range evs {
		r.Event(e)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(evs) {
		t.Fatalf("%d lines for %d events", len(lines), len(evs))
	}
	var sized int
	for _, l := range lines {
		var je jsonEvent
		if err := json.Unmarshal([]byte(l), &je); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if je.ID != "Image 127.0.0.1:5000/rec/app:1" {
			t.Errorf("id %q", je.ID)
		}
		if je.Layer != "" && je.Detail == "Downloading" && je.Total > 0 {
			sized++
		}
	}
	if sized == 0 {
		t.Errorf("no Downloading event with its layer and bytes:\n%s", out.String())
	}
}
