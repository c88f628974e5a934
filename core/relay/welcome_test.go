package relay_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/hours"
	"cornershop/core/relay"
)

// officeHours is mon-fri 09:00-18:00 in Berlin.
func officeHours(t testing.TB) hours.Schedule {
	t.Helper()
	s, err := hours.Parse("Europe/Berlin", []string{"mon-fri 09:00-18:00"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withDesk changes the test desk.
func withDesk(f func(*relay.Desk)) func(*relay.Config) {
	return func(c *relay.Config) { f(&c.Desks[0]) }
}

// customerAt writes text as user in their own Telegram DM and returns the
// conversation it landed in.
func (e *env) customerAt(user, text string) core.Conversation {
	e.t.Helper()
	place := core.Place{Platform: core.Telegram, Chat: "chat-" + user}
	e.handle(core.MessageEvent{Place: place, ID: e.id(), Sender: core.Sender{UserID: user, Name: "Customer " + user}, Text: text, Direct: true})
	var conv core.Conversation
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, user)
		if err != nil {
			return err
		}
		conv, err = tx.LatestConversation(c.ID, place)
		return err
	})
	if err != nil {
		e.t.Fatalf("conversation of %s: %v", user, err)
	}
	return conv
}

// thread returns the conversation as stored now (its desk thread opened).
func (e *env) thread(conv core.Conversation) core.Conversation {
	e.t.Helper()
	var got core.Conversation
	if err := e.store.InTx(context.Background(), func(tx core.Tx) (err error) { got, err = tx.Conversation(conv.ID); return err }); err != nil {
		e.t.Fatal(err)
	}
	return got
}

func TestAwayMessageOncePerConversationOutsideHours(t *testing.T) {
	e := newEnv(t, withDesk(func(d *relay.Desk) { d.Hours = officeHours(t); d.Acknowledge = true }))
	e.clock.now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) // Saturday
	conv := e.customerAt("u7", "Is anyone there?")
	e.drain()
	e.customerAt("u7", "Hello?")
	e.drain()
	got := e.cust.Posts(conv.Customer)
	if len(got) != 1 {
		t.Fatalf("customer got %d posts %q, want one away message", len(got), texts(got))
	}
	want := "back on Monday at 9:00 CET"
	if !strings.Contains(got[0].Text, want) || !got[0].Voice.Team || got[0].Kind != core.KindReply {
		t.Errorf("away message = %+v, want the team saying %q", got[0], want)
	}
	desk := texts(e.desk.Posts(e.thread(conv).Desk))
	if !strings.Contains(strings.Join(desk, "\n"), "Outside business hours") {
		t.Errorf("desk thread = %q, want a note that the away message went out", desk)
	}
	facts, err := e.svc.Report(context.Background(), deskChannel, e.clock.Now().Add(-time.Hour))
	if err != nil || facts.Answered != 0 {
		t.Errorf("report = %+v, %v: the away message must not count as a response", facts, err)
	}
}

func TestAcknowledgementStatesTheRealMedian(t *testing.T) {
	e := newEnv(t, withDesk(func(d *relay.Desk) { d.Hours = officeHours(t); d.Acknowledge = true }))
	// Tuesday 10:00 CET: open. Five conversations answered after 2, 4, 6,
	// 8 and 10 minutes: the median is 6 minutes.
	for i, wait := range []time.Duration{2, 4, 6, 8, 10} {
		conv := e.customerAt(fmt.Sprintf("u%d", i), "question")
		e.drain()
		if i == 0 {
			if got := texts(e.cust.Posts(conv.Customer)); len(got) != 1 || strings.Contains(got[0], "usually") {
				t.Fatalf("first acknowledgement = %q, want one without an estimate (no data yet)", got)
			}
		}
		e.clock.Add(wait * time.Minute)
		e.staff(e.thread(conv).Desk, "U-ALICE", "an answer")
		e.drain()
		e.clock.Add(time.Minute)
	}
	conv := e.customerAt("u-new", "hello")
	e.drain()
	got := texts(e.cust.Posts(conv.Customer))
	if len(got) != 1 || !strings.Contains(got[0], "usually within 6 minutes") {
		t.Fatalf("acknowledgement = %q, want the real median of 6 minutes", got)
	}
}
