package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseEventTime(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"10m", now.Add(-10 * time.Minute)},
		{"1h30m", now.Add(-90 * time.Minute)},
		{"2026-03-04T09:30:00Z", time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)},
		{"2026-03-04T09:30:00.25+01:00", time.Date(2026, 3, 4, 8, 30, 0, 250e6, time.UTC)},
		{"2026-03-04T09:30", time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)}, // now's zone
		{"2026-03-04", time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"1700000000", time.Unix(1700000000, 0)},
		{"1700000000.5", time.Unix(1700000000, 5e8)},
		{"0", time.Unix(0, 0)},
	} {
		got, err := parseEventTime("--since", tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseEventTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"yesterday", "2026-13-01", "-5", "12.x"} {
		if _, err := parseEventTime("--until", bad, now); err == nil || !strings.Contains(err.Error(), "--until") {
			t.Errorf("parseEventTime(%q): error %v, want one naming --until", bad, err)
		}
	}
}

func TestEventWindowOrder(t *testing.T) {
	now := time.Now()
	f, err := eventWindow("10m", "5m", now)
	if err != nil || !f.Since.Equal(now.Add(-10*time.Minute)) || !f.Until.Equal(now.Add(-5*time.Minute)) {
		t.Errorf("eventWindow(10m, 5m) = %+v, %v", f, err)
	}
	if _, err := eventWindow("5m", "10m", now); err == nil {
		t.Error("eventWindow(5m, 10m): no error for an until before since")
	}
}
