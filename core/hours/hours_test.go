package hours_test

import (
	"testing"
	"time"

	"cornershop/core/hours"
)

func mustParse(t testing.TB, zone string, weekly, holidays []string) hours.Schedule {
	t.Helper()
	s, err := hours.Parse(zone, weekly, holidays)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return s
}

func TestScheduleArithmetic(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	office := mustParse(t, "Europe/Berlin", []string{"mon-fri 09:00-18:00"}, []string{"2026-12-25"})
	night := mustParse(t, "Europe/Berlin", []string{"fri 22:00-06:00"}, nil)
	weekendNight := mustParse(t, "Europe/Berlin", []string{"sat 22:00-06:00"}, nil)
	always := hours.Schedule{}

	tests := []struct {
		name     string
		s        hours.Schedule
		from, to time.Time // to: for Elapsed
		add      time.Duration
		open     bool
		nextOpen time.Time
		elapsed  time.Duration
		added    time.Time
	}{
		{name: "weekday inside hours", s: office, from: at(2026, 12, 4, 10, 0), to: at(2026, 12, 4, 12, 0), add: time.Hour,
			open: true, nextOpen: at(2026, 12, 4, 10, 0), elapsed: 2 * time.Hour, added: at(2026, 12, 4, 11, 0)},
		{name: "weekend waits for monday", s: office, from: at(2026, 12, 5, 10, 0), to: at(2026, 12, 7, 9, 30), add: time.Hour,
			nextOpen: at(2026, 12, 7, 9, 0), elapsed: 30 * time.Minute, added: at(2026, 12, 7, 10, 0)},
		{name: "target spans the weekend", s: office, from: at(2026, 12, 4, 17, 0), to: at(2026, 12, 7, 10, 0), add: 2 * time.Hour,
			open: true, nextOpen: at(2026, 12, 4, 17, 0), elapsed: 2 * time.Hour, added: at(2026, 12, 7, 10, 0)},
		{name: "holiday skipped", s: office, from: at(2026, 12, 24, 19, 0), to: at(2026, 12, 28, 10, 0), add: 30 * time.Minute,
			nextOpen: at(2026, 12, 28, 9, 0), elapsed: time.Hour, added: at(2026, 12, 28, 9, 30)},
		{name: "closing time is closed", s: office, from: at(2026, 12, 4, 18, 0), to: at(2026, 12, 4, 23, 0), add: time.Minute,
			nextOpen: at(2026, 12, 7, 9, 0), added: at(2026, 12, 7, 9, 1)},
		{name: "overnight after midnight", s: night, from: at(2026, 12, 5, 2, 0), to: at(2026, 12, 5, 12, 0), add: time.Hour,
			open: true, nextOpen: at(2026, 12, 5, 2, 0), elapsed: 4 * time.Hour, added: at(2026, 12, 5, 3, 0)},
		{name: "overnight whole shift", s: night, from: at(2026, 12, 4, 21, 0), to: at(2026, 12, 5, 12, 0), add: 9 * time.Hour,
			nextOpen: at(2026, 12, 4, 22, 0), elapsed: 8 * time.Hour, added: at(2026, 12, 11, 23, 0)},
		{name: "spring forward: the night is an hour short", s: weekendNight, from: at(2026, 3, 28, 21, 0), to: at(2026, 3, 29, 12, 0), add: 7 * time.Hour,
			nextOpen: at(2026, 3, 28, 22, 0), elapsed: 7 * time.Hour, added: at(2026, 3, 29, 6, 0)},
		{name: "fall back: the night is an hour long", s: weekendNight, from: at(2026, 10, 24, 21, 0), to: at(2026, 10, 25, 12, 0), add: 8 * time.Hour,
			nextOpen: at(2026, 10, 24, 22, 0), elapsed: 9 * time.Hour, added: at(2026, 10, 25, 5, 0)},
		{name: "zero schedule is always open", s: always, from: at(2026, 12, 5, 3, 0), to: at(2026, 12, 5, 4, 0), add: time.Hour,
			open: true, nextOpen: at(2026, 12, 5, 3, 0), elapsed: time.Hour, added: at(2026, 12, 5, 4, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Open(tt.from); got != tt.open {
				t.Errorf("Open(%s) = %v, want %v", tt.from, got, tt.open)
			}
			if got := tt.s.NextOpen(tt.from); !got.Equal(tt.nextOpen) {
				t.Errorf("NextOpen(%s) = %s, want %s", tt.from, got, tt.nextOpen)
			}
			if got := tt.s.Elapsed(tt.from, tt.to); got != tt.elapsed {
				t.Errorf("Elapsed(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.elapsed)
			}
			if got := tt.s.Add(tt.from, tt.add); !got.Equal(tt.added) {
				t.Errorf("Add(%s, %s) = %s, want %s", tt.from, tt.add, got.In(berlin), tt.added)
			}
		})
	}
}

func TestWhen(t *testing.T) {
	s := mustParse(t, "Europe/Berlin", []string{"mon-fri 09:00-18:00"}, nil)
	berlin := s.Location()
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, berlin) }
	tests := []struct {
		name    string
		now, at time.Time
		want    string
	}{
		{"later today", at(12, 4, 7), at(12, 4, 9), "today at 9:00 CET"},
		{"tomorrow", at(12, 3, 19), at(12, 4, 9), "tomorrow at 9:00 CET"},
		{"after the weekend", at(12, 5, 10), at(12, 7, 9), "on Monday at 9:00 CET"},
		{"summer time abbreviation", at(3, 28, 12), at(3, 30, 9), "on Monday at 9:00 CEST"},
		{"far away", at(12, 23, 19), at(1, 4, 9).AddDate(1, 0, 0), "on 4 January at 9:00 CET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.When(tt.now, tt.at); got != tt.want {
				t.Errorf("When = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseWeeklyRejects(t *testing.T) {
	for _, line := range []string{"mon-fri", "funday 09:00-10:00", "mon 09:00-09:00", "mon 25:00-26:00", "mon 9-18", "mon 24:00-02:00"} {
		t.Run(line, func(t *testing.T) {
			if _, err := hours.ParseWeekly(line); err == nil {
				t.Errorf("ParseWeekly(%q) = nil error", line)
			}
		})
	}
	if _, err := hours.Parse("Mars/Olympus", nil, nil); err == nil {
		t.Error("Parse accepted an unknown zone")
	}
	if _, err := hours.Parse("UTC", nil, []string{"25/12"}); err == nil {
		t.Error("Parse accepted a malformed holiday")
	}
}

func TestDescribe(t *testing.T) {
	s := mustParse(t, "Europe/Berlin", []string{"mon,fri 09:00-18:00"}, []string{"2026-12-25", "2026-12-24"})
	want := "Mon 09:00–18:00; Fri 09:00–18:00 (Europe/Berlin); closed on 2026-12-24, 2026-12-25"
	if got := s.Describe(); got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if got := (hours.Schedule{}).Describe(); got != "always open" {
		t.Errorf("zero Describe = %q", got)
	}
}
