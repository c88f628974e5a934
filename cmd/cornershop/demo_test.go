package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs `cornershop demo` and checks its transcript: each customer
// sees the reply in the staff member's voice, notes stay internal, customer
// text cannot ping a channel, and a failed delivery shows in the desk.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, envOf(nil), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	transcript := out.String()
	for _, want := range []string{
		"[Slack #support-desk] card:    Carla Customer — open.",
		"[Telegram] Carla sees:         Alice Martin · Customer Care\n",
		"Thanks for your patience, Carla! — Alice, Acme Support",
		"Assigned to Alice Martin",
		"[Telegram desk] new topic:     🟢 Dana from Globex · slack",
		"channel our last invoice counts 12 seats", // "@" and a word joiner: inert on Telegram
		"[Slack thread] Dana sees:      Bob Stone (Billing)  [avatar https://example.com/bob.png]",
		"[Discord thread] Erin sees:    Alice Martin (Customer Care)  [avatar https://example.com/alice.png, via webhook]",
		"(pings caused so far: 0)",
		"Not delivered at the customer on telegram: the customer blocked the bot",
		"New · 3 votes",
		"Planned · 3 votes",
		"[Telegram] Dave is told:       Alice Martin · Customer Care\n",
		"[embed by Alice Martin (Customer Care)]",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, transcript)
		}
	}
	if n := strings.Count(transcript, "is now Planned"); n != 3 {
		t.Errorf("the idea's move reached %d voters, want 3 (Carla, Dave, Erin):\n%s", n, transcript)
	}
	if strings.Contains(transcript, "Carla sees:         // Carrier") || strings.Count(transcript, "Carla sees:") != 2 {
		t.Errorf("the customer saw something other than the two replies:\n%s", transcript)
	}
}
