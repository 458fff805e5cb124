package watch

import (
	"context"
	"slices"
	"time"
)

// Batcher turns a stream of changed paths into batches. A batch opens with
// its first path and closes once no path came for the quiet period. The
// quiet period adapts to the burst: it is twice the longest gap seen
// between two paths of this batch, never less than MinQuiet nor more than
// MaxQuiet. A single save (a few events within a millisecond) closes after
// MinQuiet; a slow checkout that writes a file every 40 ms keeps its batch
// open for 80 ms between files, so it still lands as one. MaxWait bounds a
// batch that never goes quiet.
type Batcher struct {
	MinQuiet, MaxQuiet, MaxWait time.Duration
}

// DefaultBatcher are the periods berth uses: far below a fixed 500 ms,
// well above the gaps between the events of one save (under a millisecond
// for an editor's write-rename), and adapting to a slower writer once its
// second file arrives. MinQuiet is added to every save's latency, on top
// of the engine's archive copy (~145 ms on Engine 20.10 with
// fuse-overlayfs here), so it is kept small.
var DefaultBatcher = Batcher{MinQuiet: 20 * time.Millisecond, MaxQuiet: 250 * time.Millisecond, MaxWait: 2 * time.Second}

// Run reads in until it closes or ctx ends and sends each batch, its paths
// sorted and unique, on the returned channel, which then closes.
func (b Batcher) Run(ctx context.Context, in <-chan string) <-chan []string {
	out := make(chan []string)
	go func() {
		defer close(out)
		for {
			batch, more := b.next(ctx, in)
			if len(batch) > 0 {
				select {
				case out <- batch:
				case <-ctx.Done():
					return
				}
			}
			if !more {
				return
			}
		}
	}()
	return out
}

// next collects one batch; more is false once in closed or ctx ended.
func (b Batcher) next(ctx context.Context, in <-chan string) (batch []string, more bool) {
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			batch = append(batch, p)
		}
	}
	select {
	case p, ok := <-in:
		if !ok {
			return nil, false
		}
		add(p)
	case <-ctx.Done():
		return nil, false
	}
	start, last, longest := time.Now(), time.Now(), time.Duration(0)
	quiet := time.NewTimer(b.MinQuiet)
	defer quiet.Stop()
	deadline := time.NewTimer(b.MaxWait)
	defer deadline.Stop()
	for {
		select {
		case p, ok := <-in:
			if !ok {
				slices.Sort(batch)
				return batch, false
			}
			add(p)
			now := time.Now()
			longest = max(longest, now.Sub(last))
			last = now
			quiet.Reset(b.quietFor(longest, b.MaxWait-now.Sub(start)))
		case <-quiet.C:
			slices.Sort(batch)
			return batch, true
		case <-deadline.C:
			slices.Sort(batch)
			return batch, true
		case <-ctx.Done():
			return nil, false
		}
	}
}

// quietFor is the quiet period after a burst whose longest gap is longest.
func (b Batcher) quietFor(longest, left time.Duration) time.Duration {
	return max(min(2*longest, b.MaxQuiet, left), b.MinQuiet)
}
