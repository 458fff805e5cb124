package main

import (
	"fmt"
	"strings"

	units "github.com/docker/go-units"

	"berth/reconciler"
)

// A pull or push arrives as many events of one image: the engine's
// messages, each about a layer (Layer, Detail, bytes). The tty renderer
// folds them into one line per image with a bar; the plain renderer prints
// a line per state change; json prints them all.

// isTransfer says whether e is one of the engine's messages of a pull or
// push rather than a step of berth's own.
func isTransfer(e reconciler.ProgressEvent) bool {
	return e.Detail != "" && e.Err == nil
}

// plainTransfer is the plain line of a transfer message, "" when the
// message only moves bytes (Downloading, Extracting, Pushing, Waiting).
func plainTransfer(e reconciler.ProgressEvent) string {
	if e.Layer == "" {
		return "" // "Pulling from …", "Digest: …", "Status: …" repeat the image's own lines
	}
	switch e.Detail {
	case "Downloading", "Extracting", "Pushing", "Waiting", "Verifying Checksum", "Preparing":
		return ""
	}
	return " " + e.Layer + " " + e.Detail
}

// transfer is the state of one image's pull or push: each layer's bytes.
type transfer struct {
	order  []string
	layers map[string]*layerBytes
}

type layerBytes struct {
	current, total int64
	done           bool
}

// add folds one message in.
func (t *transfer) add(e reconciler.ProgressEvent) {
	if e.Layer == "" {
		return
	}
	if t.layers == nil {
		t.layers = map[string]*layerBytes{}
	}
	l, ok := t.layers[e.Layer]
	if !ok {
		l = &layerBytes{}
		t.layers[e.Layer] = l
		t.order = append(t.order, e.Layer)
	}
	switch e.Detail {
	case "Downloading", "Pushing": // Extracting recounts the same bytes: the bar would go back
		if e.Total > 0 {
			l.current, l.total = e.Current, e.Total
		}
	case "Download complete":
		l.current = l.total
	case "Pull complete", "Already exists", "Pushed", "Layer already exists":
		l.done = true
		l.current = l.total
	}
}

// bar renders the image's progress: layers done out of all, and a bar with
// bytes done/total over the layers whose size is known.
func (t *transfer) bar() string {
	var cur, total int64
	done := 0
	for _, id := range t.order {
		l := t.layers[id]
		cur += l.current
		total += l.total
		if l.done {
			done++
		}
	}
	if len(t.order) == 0 {
		return ""
	}
	if total == 0 { // no sizes yet (or layers too small to report any)
		return fmt.Sprintf("  %d/%d layers", done, len(t.order))
	}
	const width = 20
	filled := 0
	if total > 0 {
		filled = int(float64(width) * float64(cur) / float64(total))
	}
	if filled > width {
		filled = width
	}
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf(" [%s] %s/%s  %d/%d layers", bar, units.HumanSize(float64(cur)), units.HumanSize(float64(total)), done, len(t.order))
}
