package relay_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

// TestSurveyRatedOnceWithAComment: closing sends the customer a survey;
// their tap is recorded once and shown in the thread and on the card; the
// next message within the window is the comment (no new conversation, no
// reopen); a second close within the period sends no survey; !stats gives
// CSAT per desk and per staff member.
func TestSurveyRatedOnceWithAComment(t *testing.T) {
	e := newEnv(t, withDesk(func(d *relay.Desk) { d.Survey = relay.Survey{Enabled: true, Period: 7 * 24 * time.Hour} }))
	conv := e.customerAt("u1", "Can I change my address?")
	e.drain()
	thread := e.thread(conv).Desk
	e.staff(thread, "U-ALICE", "Done!")
	e.staff(thread, "U-BOB", "!close")
	e.drain()
	got := texts(e.cust.Posts(conv.Customer))
	if len(got) != 2 || !strings.Contains(got[1], "How did we do?") {
		t.Fatalf("customer saw %q, want the reply and the survey", got)
	}
	rate := func(id, stars string) core.ActionResult {
		t.Helper()
		res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: conv.Customer, Sender: core.Sender{UserID: "u1"}, Name: "csat",
			Args: []string{strconv.FormatInt(int64(conv.ID), 10), stars}, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := rate("tap-1", "4"); !strings.Contains(res.Text, "Thank you") {
		t.Errorf("answer to the tap = %q", res.Text)
	}
	if res := rate("tap-2", "1"); !strings.Contains(res.Text, "already") {
		t.Errorf("answer to a second tap = %q, want already rated", res.Text)
	}
	e.clock.Add(2 * time.Minute)
	e.customerAt("u1", "quick and kind")
	e.drain()
	after := e.thread(conv)
	if after.Status != core.StatusClosed {
		t.Errorf("the comment reopened the conversation: %s", after.Status)
	}
	desk := strings.Join(texts(e.desk.Posts(thread)), "\n")
	for _, want := range []string{"rated this conversation 4/5 🙂 (rates alice)", "💬 Survey comment: quick and kind"} {
		if !strings.Contains(desk, want) {
			t.Errorf("desk thread lacks %q:\n%s", want, desk)
		}
	}
	if card := e.desk.Posts(thread)[0].Card; card == nil || card.Satisfaction != "4/5 🙂 — “quick and kind”" {
		t.Errorf("card = %+v", card)
	}

	// Past the comment window a message is a message again: here, past
	// the reopen window too, a new conversation. Closing it within the
	// survey period sends no second survey.
	e.clock.Add(25 * time.Hour)
	next := e.customerAt("u1", "one more thing")
	if next.ID == conv.ID {
		t.Fatal("a message after both windows did not start a new conversation")
	}
	e.drain()
	e.staff(e.thread(next).Desk, "U-ALICE", "!close")
	e.staff(e.thread(next).Desk, "U-ALICE", "!stats 7d")
	e.drain()
	if got := texts(e.cust.Posts(next.Customer)); strings.Count(strings.Join(got, "\n"), "How did we do?") != 1 {
		t.Errorf("customer saw %q, want one survey in the period", got)
	}
	stats := strings.Join(texts(e.desk.Posts(e.thread(next).Desk)), "\n")
	if !strings.Contains(stats, "CSAT: 4.0/5 over 1 ratings (1 surveys sent).") || !strings.Contains(stats, "• alice: 4.0/5 over 1 ratings") {
		t.Errorf("stats = %s", stats)
	}
}
