package relay_test

import (
	"context"
	"testing"
	"time"

	"cornershop/core"
)

// TestActionActedOnOnce: each kind of action — one that writes (an idea, a
// vote, a desk command) and one that only answers (help, a list) — run
// twice with the same ID acts and answers the first time only; the second
// returns Repeat with no text and changes nothing. The same ID in another
// chat is another invocation; a day later the ID is forgotten.
func TestActionActedOnOnce(t *testing.T) {
	e := newEnv(t, withIdeas)
	ctx := context.Background()
	e.customer("hi")
	e.drain()
	thread := e.conversation().Desk
	e.act(ideasBoard, "U-ERIN", "idea", "Dark mode — at night")
	votes := func() int { return e.idea(1).Votes }
	status := func() int {
		if e.conversation().Status == core.StatusClosed {
			return 1
		}
		return 0
	}
	tests := []struct {
		name  string
		event core.ActionEvent
		state func() int // what the first run changed, unchanged by the second
	}{
		{"vote", core.ActionEvent{Place: ideasBoard, Sender: core.Sender{UserID: "U-FRANK"}, Name: "vote", Args: []string{"1"}}, votes},
		{"idea", core.ActionEvent{Place: ideasBoard, Sender: core.Sender{UserID: "U-FRANK"}, Name: "idea", Args: []string{"Offline mode"}},
			func() int { return int(e.idea(2).ID) }},
		{"desk command", core.ActionEvent{Place: thread, Sender: core.Sender{UserID: "U-ALICE"}, Name: "close"}, status},
		{"help", core.ActionEvent{Place: customerDM, Sender: core.Sender{UserID: "u1"}, Name: "help"}, nil},
		{"desk list", core.ActionEvent{Place: deskChannel, Sender: core.Sender{UserID: "U-ALICE"}, Name: "ideas"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.event.ID = "trigger-" + tc.name
			first, err := e.svc.Act(ctx, tc.event)
			if err != nil || first.Repeat || first.Text == "" {
				t.Fatalf("first Act = %+v, %v; want an answer", first, err)
			}
			var after int
			if tc.state != nil {
				after = tc.state()
			}
			again, err := e.svc.Act(ctx, tc.event)
			if err != nil || !again.Repeat || again.Text != "" {
				t.Errorf("second Act = %+v, %v; want Repeat and no text", again, err)
			}
			if tc.state != nil && tc.state() != after {
				t.Errorf("the second Act changed the state from %d to %d", after, tc.state())
			}
		})
	}

	vote := tests[0].event
	vote.ID = "trigger-vote"
	if v := votes(); v != 2 {
		t.Fatalf("votes = %d, want 2", v)
	}
	other := vote
	other.Place.Chat = "C-OTHER-BOARD" // same id, another chat: another invocation
	if res, err := e.svc.Act(ctx, other); err != nil || res.Repeat || votes() != 1 {
		t.Errorf("the same id in another chat = %+v, %v, %d votes; want it acted on (the vote withdrawn)", res, err, votes())
	}
	e.clock.Add(25 * time.Hour)
	e.act(customerDM, "u1", "help") // any action prunes what is a day old
	if res, err := e.svc.Act(ctx, vote); err != nil || res.Repeat {
		t.Errorf("a day later the same id = %+v, %v; want it forgotten and acted on", res, err)
	}
	if v := votes(); v != 2 {
		t.Errorf("votes = %d after the vote was toggled again a day later, want 2", v)
	}
}
