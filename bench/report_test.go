package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"testing"
	"time"
)

// report holds every figure of one shape.
type report struct {
	shape          string
	kind           Shape
	project        string
	composeVersion string
	times          map[string]map[op][]time.Duration // tool → op → samples
	rss            map[string][]int64                // tool → peak RSS of each cold up
	errs           map[string]error                  // tool → why it stopped being timed
	profile        map[op]Profile                    // berth's engine calls, untimed run
	rawProfile     map[op]Profile                    // the raw limit's, for ps and warm up
}

func (r *report) add(tool string, o op, res result) {
	if r.times[tool] == nil {
		r.times[tool] = map[op][]time.Duration{}
	}
	r.times[tool][o] = append(r.times[tool][o], res.elapsed)
	if o == opUp {
		r.rss[tool] = append(r.rss[tool], res.maxRSS)
	}
}

// median of the samples of tool for o, or 0 when there are none.
func (r *report) median(tool string, o op) time.Duration {
	s := slices.Clone(r.times[tool][o])
	if len(s) == 0 {
		return 0
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSS is the largest peak RSS of tool's cold ups.
func (r *report) peakRSS(tool string) int64 {
	if len(r.rss[tool]) == 0 {
		return 0
	}
	return slices.Max(r.rss[tool])
}

// metrics reports the medians as benchmark metrics; ns/op of a whole round
// means nothing, so it is suppressed.
func (r *report) metrics(b *testing.B) {
	b.ReportMetric(0, "ns/op")
	for _, tool := range slices.Sorted(maps.Keys(r.times)) {
		for _, o := range ops {
			if m := r.median(tool, o); m > 0 {
				b.ReportMetric(ms(m), tool+"-"+string(o)+"-ms")
			}
		}
	}
	if rss := r.peakRSS("berth"); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "berth-up-MiB")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// target is a bound on berth/raw for one shape and operation.
type target struct {
	shape Shape
	op    op
	ratio float64
}

var targets = []target{
	{Independent, opUp, 1.10},
	{Independent, opWarm, 1.5},
	{Independent, opPs, 1.5},
	{Chain, opDown, 1.15},
}

// rssTarget bounds the peak RSS of `berth up -d`.
const rssTarget = 25 << 20

var opNames = map[op]string{opUp: "up -d (cold)", opPs: "ps", opWarm: "up -d (warm)", opDown: "down"}

// printReport writes the table and berth's engine calls; it says whether a
// target was missed.
func printReport(w io.Writer) (missed bool) {
	reportsMu.Lock()
	defer reportsMu.Unlock()
	fmt.Fprintf(w, "\n%-15s %-13s %9s %9s %7s %-16s %-5s %11s %8s\n",
		"shape", "op", "raw ms", "berth ms", "ratio", "target", "pass", "compose ms", "c/raw")
	for _, r := range reports {
		for _, o := range ops {
			missed = r.printRow(w, o) || missed
		}
		missed = r.printRSS(w) || missed
	}
	for _, r := range reports {
		r.printBefore(w)
	}
	for _, r := range reports {
		r.printNotes(w)
	}
	return missed
}

func (r *report) printRow(w io.Writer, o op) (missed bool) {
	rawMs, berthMs, composeMs := r.median("raw", o), r.median("berth", o), r.median("docker-compose", o)
	goal, verdict := "-", "-"
	for _, t := range targets {
		if t.shape != r.kind || t.op != o {
			continue
		}
		goal = fmt.Sprintf("<= %.2fx", t.ratio)
		ok := berthMs > 0 && rawMs > 0 && ms(berthMs)/ms(rawMs) <= t.ratio
		if o == opWarm {
			goal += " 0 wr"
			ok = ok && r.profile != nil && r.profile[opWarm].Writes == 0
		}
		verdict, missed = pass(ok), !ok
	}
	fmt.Fprintf(w, "%-15s %-13s %9s %9s %7s %-16s %-5s %11s %8s\n", r.shape, opNames[o],
		msText(rawMs), msText(berthMs), ratio(berthMs, rawMs), goal, verdict, msText(composeMs), ratio(composeMs, rawMs))
	return missed
}

func (r *report) printRSS(w io.Writer) (missed bool) {
	rss := r.peakRSS("berth")
	ok := rss > 0 && rss <= rssTarget
	fmt.Fprintf(w, "%-15s %-13s %9s %9s %7s %-16s %-5s %11s %8s\n", r.shape, "peak RSS up",
		mib(r.peakRSS("raw")), mib(rss), "-", "<= 25 MiB", pass(ok), mib(r.peakRSS("docker-compose")), "-")
	return !ok
}

// printBefore compares berth with the earlier binary BERTH_BENCH_BEFORE
// named, timed in the same rounds; nothing when there is none.
func (r *report) printBefore(w io.Writer) {
	if r.times["berth-before"] == nil {
		return
	}
	fmt.Fprintf(w, "\n%s: berth against berth-before (same rounds)\n", r.shape)
	for _, o := range ops {
		now, before, rawMs := r.median("berth", o), r.median("berth-before", o), r.median("raw", o)
		fmt.Fprintf(w, "  %-13s before %9s (%s raw)  now %9s (%s raw)  now/before %s\n", opNames[o],
			msText(before), ratio(before, rawMs), msText(now), ratio(now, rawMs), ratio(now, before))
	}
}

// printNotes lists the errors and berth's engine calls for r.
func (r *report) printNotes(w io.Writer) {
	for _, tool := range slices.Sorted(maps.Keys(r.errs)) {
		fmt.Fprintf(w, "%s: %s: %v\n", r.shape, tool, r.errs[tool])
	}
	if r.composeVersion != "" {
		fmt.Fprintf(w, "%s: docker-compose %s\n", r.shape, r.composeVersion)
	}
	if r.profile == nil {
		return
	}
	fmt.Fprintf(w, "\n%s: berth's engine calls (one untimed run through the counting proxy)\n", r.shape)
	for _, o := range ops {
		fmt.Fprintf(w, "  %s: %s", opNames[o], r.profile[o])
		if rp, ok := r.rawProfile[o]; ok {
			fmt.Fprintf(w, "    (raw limit: first call at %s, last done at %s, %d calls)\n",
				rp.First.Round(time.Millisecond), rp.Elapsed.Round(time.Millisecond), rp.Calls())
		}
	}
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func msText(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", ms(d))
}

func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", ms(a)/ms(b))
}

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
}
