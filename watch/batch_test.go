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

func TestBatcherBurstIsOneBatch(t *testing.T) {
	in := make(chan string)
	out := DefaultBatcher.Run(t.Context(), in)
	start := time.Now()
	for i := range 200 {
		in <- fmt.Sprintf("/p/f%03d", i)
		in <- fmt.Sprintf("/p/f%03d", i) // a write and a close-write: one path
	}
	b := awaitBatch(t, out)
	if len(b) != 200 || b[0] != "/p/f000" || b[199] != "/p/f199" {
		t.Fatalf("got %d paths %v…, want the 200 in order", len(b), b[:min(3, len(b))])
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the burst took %v to land, want ≤ 1s", d)
	}
}

func TestBatcherSingleSaveEndsEarly(t *testing.T) {
	in := make(chan string, 3)
	out := DefaultBatcher.Run(t.Context(), in)
	start := time.Now()
	in <- "/p/index.js"
	in <- "/p/index.js"
	b := awaitBatch(t, out)
	d := time.Since(start)
	if len(b) != 1 {
		t.Fatalf("got %v", b)
	}
	// The quiet period is MinQuiet after one save; a fixed 500 ms would
	// fail this even on a loaded machine.
	if d >= 400*time.Millisecond {
		t.Errorf("a single save waited %v", d)
	}
}

// A burst whose gaps grow to 60 ms (three times MinQuiet) stays one batch:
// the quiet period grows with the gaps seen. The sleeps make the burst's
// timing; nothing here waits for an event by sleeping.
func TestBatcherQuietAdaptsToSlowBursts(t *testing.T) {
	in := make(chan string, 8)
	out := DefaultBatcher.Run(t.Context(), in)
	in <- "/p/a"
	for i, gap := range []int{5, 15, 25, 40, 60} {
		time.Sleep(time.Duration(gap) * time.Millisecond)
		in <- fmt.Sprintf("/p/%d", i)
	}
	if b := awaitBatch(t, out); len(b) != 6 {
		t.Fatalf("got %v, want one batch of 6", b)
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
