package watch

import (
	"fmt"
	"testing"
	"time"
)

func awaitBatch(t *testing.T, out <-chan []string) []string {
	t.Helper()
	select {
	case b := <-out:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch")
		return nil
	}
}

// The burst is one batch. MinQuiet is generous here so that a test
// goroutine descheduled on a loaded machine does not split it; the e2e
// burst test and the bench run the default periods.
func TestBatcherBurstIsOneBatch(t *testing.T) {
	in := make(chan string)
	out := Batcher{MinQuiet: 250 * time.Millisecond, MaxQuiet: time.Second, MaxWait: 10 * time.Second}.Run(t.Context(), in)
	for i := range 200 {
		in <- fmt.Sprintf("/p/f%03d", i)
		in <- fmt.Sprintf("/p/f%03d", i) // a write and a close-write: one path
	}
	b := awaitBatch(t, out)
	if len(b) != 200 || b[0] != "/p/f000" || b[199] != "/p/f199" {
		t.Fatalf("got %d paths %v…, want the 200 in order", len(b), b[:min(3, len(b))])
	}
}

// A single save ends its batch after MinQuiet, far before the longest
// quiet period (5 s here, so a loaded machine cannot blur the difference).
func TestBatcherSingleSaveEndsEarly(t *testing.T) {
	in := make(chan string, 3)
	out := Batcher{MinQuiet: 20 * time.Millisecond, MaxQuiet: 5 * time.Second, MaxWait: 10 * time.Second}.Run(t.Context(), in)
	start := time.Now()
	in <- "/p/index.js"
	in <- "/p/index.js"
	b := awaitBatch(t, out)
	d := time.Since(start)
	if len(b) != 1 {
		t.Fatalf("got %v", b)
	}
	if d >= 2500*time.Millisecond {
		t.Errorf("a single save waited %v", d)
	}
}

func TestBatcherSeparateSavesAreSeparateBatches(t *testing.T) {
	in := make(chan string)
	out := DefaultBatcher.Run(t.Context(), in)
	in <- "/p/a"
	if b := awaitBatch(t, out); len(b) != 1 || b[0] != "/p/a" {
		t.Fatalf("first batch %v", b)
	}
	in <- "/p/b"
	if b := awaitBatch(t, out); len(b) != 1 || b[0] != "/p/b" {
		t.Fatalf("second batch %v", b)
	}
	close(in)
	if _, ok := <-out; ok {
		t.Fatal("out stays open after in closed")
	}
}

// TestQuietFor is the adaptive rule: twice the longest gap of the burst,
// within [MinQuiet, MaxQuiet], never past MaxWait. (A real-time test of a
// slow burst would depend on the machine's scheduling; the rule is pure.)
func TestQuietFor(t *testing.T) {
	b := DefaultBatcher
	for _, c := range []struct{ longest, left, want time.Duration }{
		{0, time.Second, 20 * time.Millisecond},
		{5 * time.Millisecond, time.Second, 20 * time.Millisecond},
		{40 * time.Millisecond, time.Second, 80 * time.Millisecond},
		{time.Second, time.Second, 250 * time.Millisecond},
		{time.Second, 50 * time.Millisecond, 50 * time.Millisecond},
	} {
		if got := b.quietFor(c.longest, c.left); got != c.want {
			t.Errorf("quietFor(%v, %v) = %v, want %v", c.longest, c.left, got, c.want)
		}
	}
}
