package config

import (
	"slices"

	"cornershop/core/hours"
)

// priorityNames are the conversation priorities SLA targets can name.
var priorityNames = []string{"low", "normal", "high", "urgent"}

// validateService checks a desk's business hours and SLA targets.
func validateService(ps *problems, p string, d Desk) {
	if _, err := hours.Parse(d.Hours.TimeZone, d.Hours.Weekly, d.Hours.Holidays); err != nil {
		ps.add(p+".hours", "%v", err)
	}
	s := d.SLA
	if s.FirstResponse < 0 || s.NextResponse < 0 {
		ps.add(p+".sla", "targets cannot be negative")
	}
	if s.WarnAt < 0 || s.WarnAt >= 1 {
		ps.add(p+".sla.warn_at", "%v is not a share between 0 and 1 (0.8 = warn at 80%% of the target)", s.WarnAt)
	}
	if d.Survey.Period < 0 || d.Survey.CommentWindow < 0 {
		ps.add(p+".survey", "durations cannot be negative")
	}
	seen := map[string]bool{}
	for i, t := range s.Priorities {
		if !slices.Contains(priorityNames, t.Priority) {
			ps.add(p+".sla.priorities", "[%d]: %q is not one of low, normal, high, urgent", i, t.Priority)
		} else if seen[t.Priority] {
			ps.add(p+".sla.priorities", "[%d]: %q is listed twice", i, t.Priority)
		}
		seen[t.Priority] = true
		if t.FirstResponse < 0 || t.NextResponse < 0 {
			ps.add(p+".sla.priorities", "[%d]: targets cannot be negative", i)
		}
	}
}
