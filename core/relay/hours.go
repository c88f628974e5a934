package relay

import (
	"fmt"
	"strings"
)

// cmdHours shows the desk's business hours, whether it is open now and,
// when closed, when it opens.
func cmdHours(c *invocation) (string, error) {
	desk, _ := c.s.deskAt(c.conv.Desk)
	h := desk.Hours
	var b strings.Builder
	fmt.Fprintf(&b, "🕘 Business hours: %s.", h.Describe())
	switch {
	case h.AlwaysOpen():
	case h.Open(c.now):
		b.WriteString(" Open now.")
	default:
		if next := h.NextOpen(c.now); !next.IsZero() {
			fmt.Fprintf(&b, " Closed now; open again %s.", h.When(c.now, next))
		} else {
			b.WriteString(" Closed now.")
		}
	}
	if t := desk.SLA; t.FirstResponse > 0 || t.NextResponse > 0 {
		fmt.Fprintf(&b, "\nTargets (business time): first response %s, next response %s; warned at %.0f%%.", span(t.FirstResponse), span(t.NextResponse), t.share()*100)
	}
	text := b.String()
	return text, c.s.systemNote(c.tx, c.conv, text)
}

func span(d interface{ String() string }) string {
	s := d.String()
	if s == "0s" {
		return "none"
	}
	return strings.TrimSuffix(strings.TrimSuffix(s, "0s"), "0m")
}
