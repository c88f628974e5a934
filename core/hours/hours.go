// Package hours owns business-hours arithmetic: a desk's weekly opening
// hours in its time zone, minus holidays; whether it is open at an instant,
// when it next opens, how much business time lies between two instants,
// and when a span of business time ends. It is pure: every instant comes
// from the caller, nothing reads the wall clock.
package hours

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// horizon bounds how far the arithmetic looks ahead for opening hours, so
// a schedule that is never open (every day a holiday) ends the search.
const horizon = 400

// Range is one weekly opening: on Day, from Start to End (minutes after
// local midnight). End at or before Start runs overnight into the next
// day; a range belongs to the day it starts on (a holiday on that day
// closes all of it).
type Range struct {
	Day        time.Weekday
	Start, End int
}

// Schedule is a desk's business hours. The zero Schedule is always open.
type Schedule struct {
	loc      *time.Location
	ranges   []Range
	holidays map[civil]bool
}

type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil { y, m, d := t.Date(); return civil{y, m, d} }

// New returns a schedule in loc (UTC when nil) open during weekly, except
// on holidays (dates in loc). With no ranges it is always open.
func New(loc *time.Location, weekly []Range, holidays []time.Time) Schedule {
	if loc == nil {
		loc = time.UTC
	}
	s := Schedule{loc: loc, ranges: slices.Clone(weekly), holidays: map[civil]bool{}}
	for _, h := range holidays {
		s.holidays[civil{h.Year(), h.Month(), h.Day()}] = true
	}
	return s
}

// Parse builds a schedule from configuration text: an IANA zone name
// ("" = UTC), weekly lines such as "mon-fri 09:00-18:00", "sat,sun
// 10:00-14:00" or "fri 22:00-06:00" (overnight), and holidays as
// YYYY-MM-DD dates.
func Parse(zone string, weekly, holidays []string) (Schedule, error) {
	loc := time.UTC
	if zone != "" {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			return Schedule{}, fmt.Errorf("hours: time zone %q: %w", zone, err)
		}
	}
	var ranges []Range
	for _, line := range weekly {
		rs, err := ParseWeekly(line)
		if err != nil {
			return Schedule{}, err
		}
		ranges = append(ranges, rs...)
	}
	var days []time.Time
	for _, h := range holidays {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(h), loc)
		if err != nil {
			return Schedule{}, fmt.Errorf("hours: holiday %q is not YYYY-MM-DD: %w", h, err)
		}
		days = append(days, d)
	}
	return New(loc, ranges, days), nil
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func dayOf(s string) (time.Weekday, bool) {
	i := slices.Index(dayNames, strings.ToLower(strings.TrimSpace(s)))
	return time.Weekday(i), i >= 0
}

// ParseWeekly parses one weekly line: days ("mon-fri", "sat,sun", "fri-mon")
// then a time range ("09:00-18:00"; "22:00-06:00" runs overnight; "24:00"
// is midnight at the end of the day).
func ParseWeekly(line string) ([]Range, error) {
	daysPart, span, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok {
		return nil, fmt.Errorf("hours: %q is not \"DAYS HH:MM-HH:MM\"", line)
	}
	from, to, ok := strings.Cut(strings.TrimSpace(span), "-")
	start, err1 := clock(from)
	end, err2 := clock(to)
	if !ok || err1 != nil || err2 != nil || start == 24*60 || start == end {
		return nil, fmt.Errorf("hours: %q: %q is not a time range such as 09:00-18:00", line, span)
	}
	var days []time.Weekday
	for _, part := range strings.Split(daysPart, ",") {
		a, b, isRange := strings.Cut(part, "-")
		first, ok1 := dayOf(a)
		last, ok2 := first, true
		if isRange {
			last, ok2 = dayOf(b)
		}
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("hours: %q: %q is not days such as mon-fri or sat,sun", line, part)
		}
		for d := first; ; d = (d + 1) % 7 {
			days = append(days, d)
			if d == last {
				break
			}
		}
	}
	out := make([]Range, len(days))
	for i, d := range days {
		out[i] = Range{Day: d, Start: start, End: end}
	}
	return out, nil
}

func clock(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil {
		return 0, fmt.Errorf("hours: %q is not HH:MM: %w", s, err)
	}
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("hours: %q is not a time of day", s)
	}
	return h*60 + m, nil
}

// Location is the schedule's time zone.
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// AlwaysOpen reports whether the schedule has no closed time at all.
func (s Schedule) AlwaysOpen() bool { return len(s.ranges) == 0 }

// interval is one stretch of opening time.
type interval struct{ start, end time.Time }

// intervals returns, in order and merged, the openings that end after t,
// generated day by day for up to horizon days.
func (s Schedule) intervals(t time.Time, yield func(interval) bool) {
	loc := s.Location()
	lt := t.In(loc)
	day := time.Date(lt.Year(), lt.Month(), lt.Day()-1, 0, 0, 0, 0, loc)
	var pending interval
	for i := 0; i < horizon; i++ {
		d := time.Date(day.Year(), day.Month(), day.Day()+i, 0, 0, 0, 0, loc)
		if s.holidays[civilOf(d)] {
			continue
		}
		var today []interval
		for _, r := range s.ranges {
			if r.Day != d.Weekday() {
				continue
			}
			start := time.Date(d.Year(), d.Month(), d.Day(), 0, r.Start, 0, 0, loc)
			endDay := d.Day()
			if r.End <= r.Start {
				endDay++
			}
			end := time.Date(d.Year(), d.Month(), endDay, 0, r.End, 0, 0, loc)
			today = append(today, interval{start, end})
		}
		slices.SortFunc(today, func(a, b interval) int { return a.start.Compare(b.start) })
		for _, iv := range today {
			switch {
			case pending.end.IsZero():
				pending = iv
			case !iv.start.After(pending.end):
				if iv.end.After(pending.end) {
					pending.end = iv.end
				}
			default:
				if pending.end.After(t) && !yield(pending) {
					return
				}
				pending = iv
			}
		}
	}
	if !pending.end.IsZero() && pending.end.After(t) {
		yield(pending)
	}
}

// Open reports whether the desk is open at t.
func (s Schedule) Open(t time.Time) bool {
	if s.AlwaysOpen() {
		return true
	}
	return !s.NextOpen(t).After(t)
}

// NextOpen returns t when open at t, else when the desk next opens (zero
// when it never does within a year or so).
func (s Schedule) NextOpen(t time.Time) time.Time {
	if s.AlwaysOpen() {
		return t
	}
	var at time.Time
	s.intervals(t, func(iv interval) bool {
		at = iv.start
		if at.Before(t) {
			at = t
		}
		return false
	})
	return at
}

// Elapsed returns how much business time lies between from and to (zero
// when to is not after from).
func (s Schedule) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if s.AlwaysOpen() {
		return to.Sub(from)
	}
	var sum time.Duration
	s.intervals(from, func(iv interval) bool {
		if !iv.start.Before(to) {
			return false
		}
		a, b := iv.start, iv.end
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		sum += b.Sub(a)
		return true
	})
	return sum
}

// Add returns the instant at which d of business time has passed since
// from (zero when the schedule never gathers that much within a year or
// so). A zero d returns from itself, even when closed.
func (s Schedule) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	if s.AlwaysOpen() {
		return from.Add(d)
	}
	var at time.Time
	left := d
	s.intervals(from, func(iv interval) bool {
		a := iv.start
		if a.Before(from) {
			a = from
		}
		if span := iv.end.Sub(a); span < left {
			left -= span
			return true
		}
		at = a.Add(left)
		return false
	})
	return at
}
