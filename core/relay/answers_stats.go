package relay

import (
	"fmt"
	"strings"

	"cornershop/core"
)

// answerStatsTop is how many misses and helpful answers !stats answers
// lists.
const answerStatsTop = 5

// cmdAnswerStats is `!stats answers [period]`: suggestions shown, the
// self-served rate, the searches that found nothing and the answers that
// helped most.
func cmdAnswerStats(c *invocation, period string) (string, error) {
	if period == "" {
		period = "7d"
	}
	d, ok := parseSpan(period)
	if !ok {
		return "", errUsage
	}
	st, err := c.tx.AnswerStats(c.now.Add(-d), answerStatsTop)
	if err != nil {
		return "", fmt.Errorf("answer stats: %w", err)
	}
	text := AnswerStatsText(st, period)
	return text, c.s.systemNote(c.tx, c.conv, text)
}

// AnswerStatsText renders self-help figures for the desk.
func AnswerStatsText(st core.AnswerStats, period string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "📚 Self-help, last %s:\n", period)
	fmt.Fprintf(&b, "Suggestions shown: %d", st.Suggested)
	if st.Suggested > 0 {
		fmt.Fprintf(&b, " · self-served: %d (%.0f%%) · still needed a person: %d", st.SelfServed, 100*float64(st.SelfServed)/float64(st.Suggested), st.Person)
	}
	b.WriteString("\nSearches with no good answer:")
	if len(st.Misses) == 0 {
		b.WriteString(" none")
	}
	for _, m := range st.Misses {
		fmt.Fprintf(&b, "\n  %q × %d", m.Query, m.Count)
	}
	b.WriteString("\nMost helpful answers:")
	if len(st.Helpful) == 0 {
		b.WriteString(" none yet")
	}
	for _, a := range st.Helpful {
		fmt.Fprintf(&b, "\n  #%d %s — helped %d of %d shown", a.ID, a.Title, a.Helped, a.Shown)
	}
	return b.String()
}
