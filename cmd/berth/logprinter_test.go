package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogPrinterPrefixes(t *testing.T) {
	tests := []struct {
		name                      string
		color, prefix, timestamps bool
		want                      string
	}{
		// As Docker Compose: the widest name, one space, then " | ".
		{"aligned", false, true, false, "web-1    | hello\nredis-1  | ready\n"},
		{"no prefix", false, false, false, "hello\nready\n"},
		{"colored per service", true, true, false,
			"\x1b[36mweb-1    |\x1b[0m hello\n\x1b[33mredis-1  |\x1b[0m ready\n"},
		{"timestamps", false, true, true,
			"web-1    | 2024-01-02T03:04:05Z hello\nredis-1  | 2024-01-02T03:04:05Z ready\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := newLogPrinter(&out, tt.color, tt.prefix, tt.timestamps)
			p.now = func() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }
			p.fit("web-1", "redis-1")
			p.line("web-1", "web", "hello")
			p.line("redis-1", "redis", "ready")
			if out.String() != tt.want {
				t.Errorf("got %q\nwant %q", out.String(), tt.want)
			}
		})
	}
}

func TestShortName(t *testing.T) {
	for name, want := range map[string]string{"visits-web-1": "web-1", "my-db": "my-db", "visits-web-12": "web-12"} {
		if got := shortName("visits", name); got != want {
			t.Errorf("shortName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestLogPrinterWholeLines writes two streams in small, unaligned chunks at
// once: every printed line must be one the stream wrote, whole.
func TestLogPrinterWholeLines(t *testing.T) {
	var out bytes.Buffer
	p := newLogPrinter(&out, false, true, false)
	p.fit("a-1", "b-1")
	var wg sync.WaitGroup
	for _, name := range []string{"a-1", "b-1"} {
		r, w := io.Pipe()
		wg.Go(func() { _ = p.copyLines(name, name[:1], r) })
		wg.Go(func() {
			text := strings.Repeat(name+" "+strings.Repeat("x", 100)+"\n", 200) + "last without newline"
			for i := 0; i < len(text); i += 7 {
				_, _ = w.Write([]byte(text[i:min(i+7, len(text))]))
			}
			w.Close()
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 402 {
		t.Fatalf("%d lines, want 402", len(lines))
	}
	for _, l := range lines {
		name, text, _ := strings.Cut(l, " | ")
		name = strings.TrimSpace(name)
		if text != name+" "+strings.Repeat("x", 100) && text != "last without newline" {
			t.Fatalf("broken line %q", l)
		}
	}
}

func TestLogPrinterHoldsUntilRelease(t *testing.T) {
	var out bytes.Buffer
	p := newLogPrinter(&out, false, true, false)
	p.held = true
	p.line("web-1", "web", "early")
	p.line("db-1", "db", "not shown")
	if out.Len() != 0 {
		t.Fatalf("held printer wrote %q", out.String())
	}
	p.release(false, true, false, func(s string) bool { return s == "web" })
	p.line("web-1", "web", "later")
	p.line("db-1", "db", "not shown either")
	if want := "web-1  | early\nweb-1  | later\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// TestLogPrinterStreams: a container's stderr lines go to the printer's
// errOut, its stdout lines to out, held back alike until release.
func TestLogPrinterStreams(t *testing.T) {
	var out, errOut bytes.Buffer
	p := newLogPrinter(&out, false, true, false)
	p.errOut = &errOut
	p.held = true
	_ = p.copyStream("web-1", "web", strings.NewReader("to stdout\n"), false)
	_ = p.copyStream("web-1", "web", strings.NewReader("to stderr\n"), true)
	if out.Len()+errOut.Len() != 0 {
		t.Fatalf("printed while held: %q %q", out.String(), errOut.String())
	}
	p.release(false, true, false, nil)
	if out.String() != "web-1  | to stdout\n" || errOut.String() != "web-1  | to stderr\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}
