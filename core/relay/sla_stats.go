package relay

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cornershop/core"
)

// SLAFigures are a desk's SLA outcomes for one priority: clocks stopped by
// a reply in time (Met) or late (Missed), and breaches (clocks that ran
// past their target, answered or not). Clocks still running in time, or
// stopped by a close or snooze before their target, have no verdict.
type SLAFigures struct {
	Met, Missed, Breaches int
}

// Attainment is the share of clocks with a verdict that were met (0 with
// none).
func (f SLAFigures) Attainment() float64 {
	if f.Met+f.Missed == 0 {
		return 0
	}
	return float64(f.Met) / float64(f.Met+f.Missed)
}

// SummarizeSLA groups clocks by priority.
func SummarizeSLA(clocks []core.SLAClock) map[int]SLAFigures {
	out := map[int]SLAFigures{}
	for _, c := range clocks {
		f := out[c.Priority]
		met, ok := c.Met()
		switch {
		case ok && met:
			f.Met++
		case ok:
			f.Missed++
		}
		if c.Breached || (!c.StoppedAt.IsZero() && c.StoppedAt.After(c.DueAt)) {
			f.Breaches++
		}
		out[c.Priority] = f
	}
	return out
}

// slaStatsText renders SLA figures for a desk thread ("" with none).
func slaStatsText(by map[int]SLAFigures) string {
	if len(by) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nSLA:")
	for _, p := range slices.Sorted(maps.Keys(by)) {
		f := by[p]
		fmt.Fprintf(&b, "\n• %s priority: %.0f%% met (%d of %d), %d breaches", PriorityName(p), f.Attainment()*100, f.Met, f.Met+f.Missed, f.Breaches)
	}
	return b.String()
}
