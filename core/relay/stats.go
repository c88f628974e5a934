package relay

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cornershop/core"
)

// Report is a desk's response figures over a period.
type Report struct {
	Since         time.Time
	Conversations int
	Open          int // the queue: open now
	Waiting       int
	Closed        int
	Answered      int
	// Medians over the conversations that have them.
	FirstResponse time.Duration
	Resolution    time.Duration
	// ReopenRate is the share of conversations reopened at least once.
	ReopenRate float64
	ByStaff    map[string]StaffReport
	// SLA is the desk's SLA outcomes by priority, for clocks started in
	// the period.
	SLA map[int]SLAFigures
	// CSAT is the desk's satisfaction results for surveys sent in the
	// period; CSATByStaff per staff member rated.
	CSAT        CSATFigures
	CSATByStaff map[string]CSATFigures
}

// StaffReport is one staff member's share of a Report.
type StaffReport struct {
	Assigned       int
	OpenAssigned   int
	FirstResponses int
	FirstResponse  time.Duration // median of the first responses they gave
}

// Summarize computes a Report from conversation facts.
func Summarize(facts []core.ConversationFacts, since time.Time) Report {
	r := Report{Since: since, Conversations: len(facts), ByStaff: map[string]StaffReport{}}
	var first, resolve []time.Duration
	perStaff := map[string][]time.Duration{}
	reopened := 0
	for _, f := range facts {
		switch f.Status {
		case core.StatusOpen:
			r.Open++
		case core.StatusWaiting:
			r.Waiting++
		case core.StatusClosed:
			r.Closed++
			resolve = append(resolve, f.ClosedAt.Sub(f.CreatedAt))
		}
		if f.Reopens > 0 {
			reopened++
		}
		if f.Assignee != "" {
			sr := r.ByStaff[string(f.Assignee)]
			sr.Assigned++
			if f.Status == core.StatusOpen {
				sr.OpenAssigned++
			}
			r.ByStaff[string(f.Assignee)] = sr
		}
		if !f.FirstReplyAt.IsZero() {
			r.Answered++
			d := f.FirstReplyAt.Sub(f.CreatedAt)
			first = append(first, d)
			who := strings.TrimPrefix(f.FirstReplyBy, "staff:")
			perStaff[who] = append(perStaff[who], d)
		}
	}
	r.FirstResponse, r.Resolution = median(first), median(resolve)
	if len(facts) > 0 {
		r.ReopenRate = float64(reopened) / float64(len(facts))
	}
	for who, ds := range perStaff {
		sr := r.ByStaff[who]
		sr.FirstResponses, sr.FirstResponse = len(ds), median(ds)
		r.ByStaff[who] = sr
	}
	return r
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Report computes the response figures of a desk for conversations started
// since then.
func (s *Service) Report(ctx context.Context, desk core.Place, since time.Time) (Report, error) {
	var facts []core.ConversationFacts
	var clocks []core.SLAClock
	var surveys []core.Survey
	err := s.store.InTx(ctx, func(tx core.Tx) error {
		var err error
		if facts, err = tx.DeskFacts(desk, since); err != nil {
			return err
		}
		if clocks, err = tx.DeskClocks(desk, since); err != nil {
			return err
		}
		surveys, err = tx.DeskSurveys(desk, since)
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("desk report: %w", err)
	}
	r := Summarize(facts, since)
	r.SLA = SummarizeSLA(clocks)
	r.CSAT, r.CSATByStaff = SummarizeCSAT(surveys)
	return r, nil
}

// Desks lists the configured desks.
func (s *Service) Desks() []Desk { return slices.Clone(s.cfg.Desks) }

// Text renders the report for a desk thread.
func (r Report) Text(period string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "📊 Last %s: %d conversations (%d open, %d waiting, %d closed).", period, r.Conversations, r.Open, r.Waiting, r.Closed)
	fmt.Fprintf(&b, "\nFirst response: median %s over %d answered.", round(r.FirstResponse), r.Answered)
	fmt.Fprintf(&b, "\nResolution: median %s over %d closed. Reopen rate %.0f%%.", round(r.Resolution), r.Closed, r.ReopenRate*100)
	for _, who := range slices.Sorted(maps.Keys(r.ByStaff)) {
		sr := r.ByStaff[who]
		fmt.Fprintf(&b, "\n• %s: %d assigned (%d open), %d first responses, median %s", who, sr.Assigned, sr.OpenAssigned, sr.FirstResponses, round(sr.FirstResponse))
	}
	b.WriteString(slaStatsText(r.SLA))
	b.WriteString(csatText(r.CSAT, r.CSATByStaff))
	return b.String()
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

func cmdStats(c *invocation) (string, error) {
	period := c.args
	if rest, ok := cutPrefix(period, "answers"); ok && (rest == "" || period[len("answers")] == ' ') {
		return cmdAnswerStats(c, rest)
	}
	if rest, ok := cutPrefix(period, "listening"); ok && (rest == "" || period[len("listening")] == ' ') {
		return cmdListeningStats(c, rest)
	}
	if period == "" {
		period = "7d"
	}
	d, ok := parseSpan(period)
	if !ok {
		return "", errUsage
	}
	facts, err := c.tx.DeskFacts(c.conv.Desk, c.now.Add(-d))
	if err != nil {
		return "", fmt.Errorf("desk facts: %w", err)
	}
	clocks, err := c.tx.DeskClocks(c.conv.Desk, c.now.Add(-d))
	if err != nil {
		return "", fmt.Errorf("desk sla clocks: %w", err)
	}
	surveys, err := c.tx.DeskSurveys(c.conv.Desk, c.now.Add(-d))
	if err != nil {
		return "", fmt.Errorf("desk surveys: %w", err)
	}
	r := Summarize(facts, c.now.Add(-d))
	r.SLA = SummarizeSLA(clocks)
	r.CSAT, r.CSATByStaff = SummarizeCSAT(surveys)
	ist, err := c.tx.IncidentStats(c.now.Add(-d))
	if err != nil {
		return "", fmt.Errorf("incident stats: %w", err)
	}
	text := r.Text(period) + IncidentStatsText(ist) + c.s.retentionLine()
	return text, c.s.systemNote(c.tx, c.conv, text)
}
