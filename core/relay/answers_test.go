package relay_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

func withSuggestions(c *relay.Config) { c.Answers = relay.Answers{Suggest: "new_conversation"} }

// actResult runs an action and returns its whole result.
func (e *env) actResult(place core.Place, user, name string, args ...string) core.ActionResult {
	e.t.Helper()
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: place, Sender: core.Sender{UserID: user, Name: user}, Name: name, Args: args, ID: e.id()})
	if err != nil {
		e.t.Fatalf("act %s: %v", name, err)
	}
	return res
}

func deskText(e *env, conv core.Conversation) string {
	return strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
}

// publishRefunds has Alice answer a customer and publish the reply.
func publishRefunds(t *testing.T, e *env) core.Conversation {
	t.Helper()
	e.customer("how do refunds work?")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "Open Orders, pick the order and press Refund; the money is back within five days.")
	e.staff(conv.Desk, "U-ALICE", "!answer add Refunds")
	e.drain()
	if got := deskText(e, conv); !strings.Contains(got, `published answer 1 "Refunds" (/answers/refunds)`) {
		t.Fatalf("desk after !answer add = %q", got)
	}
	return conv
}

// TestAnswerPublishedFromDeskReply: an agent publishes her last reply in
// one step; !answers lists it; /help finds it as a button whose press
// shows the body; the publication is audited.
func TestAnswerPublishedFromDeskReply(t *testing.T) {
	e := newEnv(t)
	conv := publishRefunds(t, e)
	e.staff(conv.Desk, "U-ALICE", "!answers refund")
	e.drain()
	if got := deskText(e, conv); !strings.Contains(got, "#1 Refunds · shown 0") {
		t.Fatalf("!answers = %q", got)
	}
	other := core.Place{Platform: core.Telegram, Chat: "200"}
	res := e.actResult(other, "u2", "help", "refund")
	if len(res.Buttons) != 1 || res.Buttons[0].Action != "answer" || res.Buttons[0].Args[0] != "1" || !strings.Contains(res.Buttons[0].Label, "Refunds") {
		t.Fatalf("/help refund = %+v", res)
	}
	shown := e.actResult(other, "u2", "answer", "1")
	if !shown.Message || !strings.Contains(shown.Text, "press Refund") {
		t.Fatalf("answer button = %+v", shown)
	}
	miss := e.actResult(other, "u2", "help", "gift", "cards")
	if len(miss.Buttons) != 0 || !strings.Contains(miss.Text, "found no answer") {
		t.Fatalf("/help gift cards = %+v", miss)
	}
	e.inTx(func(tx core.Tx) error {
		a, err := tx.Answer(1)
		if err != nil {
			return err
		}
		if a.Shown != 1 || a.Author != "staff:alice" || a.AuthorName != "Alice Martin" {
			t.Errorf("answer = %+v", a)
		}
		es, err := tx.AuditEntries("answer#1", 10)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Action != "answer.add" || es[0].Actor != "staff:alice" {
			t.Errorf("audit = %+v", es)
		}
		st, err := tx.AnswerStats(e.clock.Now().Add(-1e12), 5)
		if err != nil {
			return err
		}
		if len(st.Misses) != 1 || st.Misses[0].Query != "gift cards" {
			t.Errorf("misses = %+v", st.Misses)
		}
		return nil
	})
}

// TestAnswerCommands covers the text form, roles and moderation verbs.
func TestAnswerCommands(t *testing.T) {
	tests := []struct {
		name, user, line, want string
	}{
		{name: "body after the title", user: "U-ALICE", line: "!answer add Shipping — Parcels leave within two days.", want: `published answer 2 "Shipping"`},
		{name: "agents cannot remove", user: "U-ALICE", line: "!answer 1 remove", want: "needs the moderator role"},
		{name: "moderators remove", user: "U-BOB", line: "!answer 1 remove", want: `Bob Stone removed answer 1 "Refunds"`},
		{name: "moderators edit", user: "U-BOB", line: "!answer 1 edit Press Refund in Orders.", want: "edited answer 1"},
		{name: "tag", user: "U-BOB", line: "!answer 1 tag billing orders", want: "tagged billing, orders"},
		{name: "show", user: "U-ALICE", line: "!answer 1", want: "press Refund"},
		{name: "unknown answer", user: "U-BOB", line: "!answer 9 remove", want: "There is no answer 9"},
		{name: "no reply yet", user: "U-BOB", line: "!answer add Returns", want: "Reply to the customer first"},
		{name: "usage", user: "U-BOB", line: "!answer", want: "!answer add"},
		{name: "agents cannot credit", user: "U-ALICE", line: "!answer from https://example.com/x", want: "needs the moderator role"},
		{name: "unreadable link", user: "U-BOB", line: "!answer from https://example.com/x", want: "not a message link I can read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			conv := publishRefunds(t, e)
			e.staff(conv.Desk, tc.user, tc.line)
			e.drain()
			if got := deskText(e, conv); !strings.Contains(got, tc.want) {
				t.Fatalf("desk after %q = %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

// suggestionPost returns the customer's post that carries a suggestion.
func suggestionPost(t *testing.T, e *env, conv core.Conversation) (core.ActionResult, bool) {
	t.Helper()
	for _, p := range e.cust.Posts(conv.Customer) {
		if len(p.Buttons) > 0 {
			if p.Voice.Name != "Acme" {
				t.Errorf("suggestion voice = %+v, want the team's", p.Voice)
			}
			return core.ActionResult{Text: p.Text, Buttons: p.Buttons}, true
		}
	}
	return core.ActionResult{}, false
}

// TestSuggestionOnNewConversation: a new conversation whose first message
// matches gets one suggestion (never a second), the desk sees it, and the
// two buttons do what they say.
func TestSuggestionOnNewConversation(t *testing.T) {
	for _, tc := range []struct {
		name       string
		press      string
		wantStatus core.Status
		wantDesk   string
	}{
		{name: "solved", press: "solved", wantStatus: core.StatusClosed, wantDesk: "closed as self-served"},
		{name: "still a person", press: "person", wantStatus: core.StatusOpen, wantDesk: "still needs a person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withSuggestions)
			e.inTx(func(tx core.Tx) error {
				return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
			})
			e.customer("Hello, I would like a refund for my shoes")
			e.drain()
			conv := e.conversation()
			sg, ok := suggestionPost(t, e, conv)
			if !ok || len(sg.Buttons) != 3 || sg.Buttons[1].Action != "solved" || sg.Buttons[2].Action != "person" {
				t.Fatalf("suggestion = %+v (posts %q)", sg, texts(e.cust.Posts(conv.Customer)))
			}
			if got := deskText(e, conv); !strings.Contains(got, "Suggested to the customer: #1 Refunds") {
				t.Fatalf("desk = %q", got)
			}
			e.customer("still there?")
			e.drain()
			if n := len(e.cust.Posts(conv.Customer)); n != 1 {
				t.Fatalf("customer has %d posts after a follow-up, want the one suggestion", n)
			}
			b := sg.Buttons[1]
			if tc.press == "person" {
				b = sg.Buttons[2]
			}
			e.actResult(conv.Customer, "u1", b.Action, b.Args...)
			e.drain()
			if again := e.actResult(conv.Customer, "u1", b.Action, b.Args...); !strings.Contains(again.Text, "already") {
				t.Errorf("second press = %q", again.Text)
			}
			got := e.conversation()
			if got.Status != tc.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, tc.wantStatus)
			}
			if tc.press == "solved" && !core.HasTag(got.Tags, "self-served") {
				t.Errorf("tags = %v, want self-served", got.Tags)
			}
			if d := deskText(e, conv); !strings.Contains(d, tc.wantDesk) {
				t.Errorf("desk = %q, want %q", d, tc.wantDesk)
			}
		})
	}
}

// TestNoSuggestionWithoutMatchOrSetting: nothing relevant, or the setting
// off, means no suggestion at all.
func TestNoSuggestionWithoutMatchOrSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []func(*relay.Config)
		text string
	}{
		{name: "no match", opts: []func(*relay.Config){withSuggestions}, text: "my parcel arrived broken"},
		{name: "setting off", text: "I would like a refund"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts...)
			e.inTx(func(tx core.Tx) error {
				return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
			})
			e.customer(tc.text)
			e.drain()
			conv := e.conversation()
			if ps := e.cust.Posts(conv.Customer); len(ps) != 0 {
				t.Fatalf("customer got %q, want nothing", texts(ps))
			}
			if d := deskText(e, conv); strings.Contains(d, "Suggested") {
				t.Fatalf("desk = %q", d)
			}
		})
	}
}

// TestSuggestionButtonOfSomeoneElse: a press by another contact does
// nothing.
func TestSuggestionButtonOfSomeoneElse(t *testing.T) {
	e := newEnv(t, withSuggestions)
	e.inTx(func(tx core.Tx) error {
		return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
	})
	e.customer("refund please")
	e.drain()
	conv := e.conversation()
	sg, ok := suggestionPost(t, e, conv)
	if !ok {
		t.Fatal("no suggestion")
	}
	e.actResult(core.Place{Platform: core.Telegram, Chat: "300"}, "u3", "solved", sg.Buttons[1].Args...)
	if got := e.conversation(); got.Status != core.StatusOpen {
		t.Fatalf("status = %s after a stranger's press", got.Status)
	}
}

// TestAnswerStatsCommand: !stats answers shows suggestions, the
// self-served rate, misses and the most helpful answers.
func TestAnswerStatsCommand(t *testing.T) {
	e := newEnv(t, withSuggestions)
	e.inTx(func(tx core.Tx) error {
		return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
	})
	e.customer("a refund please")
	e.drain()
	conv := e.conversation()
	sg, ok := suggestionPost(t, e, conv)
	if !ok {
		t.Fatal("no suggestion")
	}
	e.actResult(conv.Customer, "u1", "solved", sg.Buttons[1].Args...)
	e.actResult(conv.Customer, "u1", "help", "gift", "cards")
	e.staff(conv.Desk, "U-ALICE", "!stats answers 7d")
	e.drain()
	got := deskText(e, conv)
	for _, want := range []string{"Suggestions shown: 1 · self-served: 1 (100%)", `"gift cards" × 1`, "#1 Refunds — helped 1 of 1 shown"} {
		if !strings.Contains(got, want) {
			t.Errorf("desk lacks %q:\n%s", want, got)
		}
	}
}

// TestSelfServedStopsTheClock: a customer who presses "This solved it"
// closes the conversation as !close would, so its SLA clock stops and no
// warning or breach follows.
func TestSelfServedStopsTheClock(t *testing.T) {
	e := newEnv(t, withSuggestions, withDesk(func(d *relay.Desk) {
		d.SLA = relay.SLA{FirstResponse: time.Hour, WarnAt: 0.8}
	}))
	e.inTx(func(tx core.Tx) error {
		return tx.CreateAnswer(&core.Answer{Slug: "refunds", Title: "Refunds", Body: "Press Refund in Orders."})
	})
	e.customer("Hello, I would like a refund for my shoes")
	e.drain()
	conv := e.conversation()
	e.inTx(func(tx core.Tx) error {
		_, err := tx.RunningClock(conv.ID)
		if err != nil {
			t.Fatalf("running clock before the press: %v", err)
		}
		return nil
	})
	sg, ok := suggestionPost(t, e, conv)
	if !ok || len(sg.Buttons) != 3 || sg.Buttons[1].Action != "solved" {
		t.Fatalf("suggestion = %+v", sg)
	}
	e.actResult(conv.Customer, "u1", "solved", sg.Buttons[1].Args...)
	e.drain()
	e.inTx(func(tx core.Tx) error {
		if c, err := tx.RunningClock(conv.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("running clock after self-served close = %+v, %v; want none", c, err)
		}
		return nil
	})
}
