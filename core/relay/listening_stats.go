package relay

import (
	"fmt"
	"strings"
	"time"

	"cornershop/core"
)

// listeningStatsTop caps the rule and place lines of !stats listening.
const listeningStatsTop = 10

// cmdListeningStats is "!stats listening [period]": what listening heard
// and what the team did with it.
func cmdListeningStats(c *invocation, period string) (string, error) {
	if period == "" {
		period = "7d"
	}
	d, ok := parseSpan(period)
	if !ok {
		return "", errUsage
	}
	st, err := c.tx.ListeningStats(c.now.Add(-d), listeningStatsTop)
	if err != nil {
		return "", fmt.Errorf("listening stats: %w", err)
	}
	text := c.s.ListeningStatsText(st, period, d)
	return text, c.s.systemNote(c.tx, c.conv, text)
}

// ListeningStatsText renders listening figures for the desk: matches per
// rule and place (per day over periods longer than a day), the share
// negative, signals handled versus dismissed and the median time to handle.
func (s *Service) ListeningStatsText(st core.ListeningStats, period string, span time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "👂 Listening, last %s:\n", period)
	fmt.Fprintf(&b, "Matches: %d", st.Total)
	if st.Total > 0 {
		fmt.Fprintf(&b, " · negative: %d (%.0f%%)", st.Negative, 100*float64(st.Negative)/float64(st.Total))
	}
	days := span.Hours() / 24
	for _, m := range st.Matches {
		fmt.Fprintf(&b, "\n  %s in %s: %d", m.Rule, s.placeName(m.Place), m.Count)
		if days > 1 {
			fmt.Fprintf(&b, " (%.1f a day)", float64(m.Count)/days)
		}
		if m.Negative > 0 {
			fmt.Fprintf(&b, ", %d negative", m.Negative)
		}
	}
	fmt.Fprintf(&b, "\nSignals: %d · handled: %d · dismissed: %d · open: %d", st.Signals, st.Handled, st.Dismissed, st.Signals-st.Handled-st.Dismissed)
	if st.Handled+st.Dismissed > 0 {
		fmt.Fprintf(&b, "\nMedian time to handle: %s", st.MedianHandle.Round(time.Second))
	}
	return b.String()
}
