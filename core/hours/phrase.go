package hours

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// When says, in a customer's terms, when at is as seen at now in the
// schedule's zone: "today at 14:00 CET", "tomorrow at 9:00 CET", "on
// Monday at 9:00 CET", or "on 2 January at 9:00 CET" a week or more away.
// The zone abbreviation is the one in force at at.
func (s Schedule) When(now, at time.Time) string {
	loc := s.Location()
	n, a := now.In(loc), at.In(loc)
	clock := fmt.Sprintf("%d:%02d %s", a.Hour(), a.Minute(), a.Format("MST"))
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	day := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, loc)
	days := 0
	for d := today; d.Before(day) && days < 8; d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		days++
	}
	switch {
	case days == 0:
		return "today at " + clock
	case days == 1:
		return "tomorrow at " + clock
	case days < 7:
		return "on " + a.Weekday().String() + " at " + clock
	}
	return fmt.Sprintf("on %d %s at %s", a.Day(), a.Month(), clock)
}

// Describe lists the weekly hours and holidays for people, e.g.
// "Mon 09:00–18:00; Tue 09:00–18:00 (Europe/Berlin); closed on
// 2026-12-25".
func (s Schedule) Describe() string {
	if s.AlwaysOpen() {
		return "always open"
	}
	out := ""
	for i, r := range s.ranges {
		if i > 0 {
			out += "; "
		}
		out += fmt.Sprintf("%s %02d:%02d–%02d:%02d", r.Day.String()[:3], r.Start/60, r.Start%60, r.End/60, r.End%60)
	}
	out += " (" + s.Location().String() + ")"
	if len(s.holidays) > 0 {
		days := make([]string, 0, len(s.holidays))
		for d := range s.holidays {
			days = append(days, fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d))
		}
		slices.Sort(days)
		out += "; closed on " + strings.Join(days, ", ")
	}
	return out
}
