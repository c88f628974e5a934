package relay_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// crowdWrites makes customer n (user un, DM chat 10n) write text.
func (e *env) crowdWrites(n int, text string) {
	e.t.Helper()
	e.handle(core.MessageEvent{Place: crowdDM(n), ID: e.id(), Sender: core.Sender{UserID: fmt.Sprintf("u%d", n), Name: fmt.Sprintf("Customer %d", n)},
		Text: text, Direct: true})
}

func crowdDM(n int) core.Place {
	return core.Place{Platform: core.Telegram, Chat: fmt.Sprintf("10%d", n)}
}

// crowdConv returns customer n's conversation.
func (e *env) crowdConv(n int) core.Conversation {
	e.t.Helper()
	var conv core.Conversation
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, fmt.Sprintf("u%d", n))
		if err != nil {
			return err
		}
		conv, err = tx.LatestConversation(c.ID, crowdDM(n))
		return err
	})
	if err != nil {
		e.t.Fatalf("conversation of customer %d: %v", n, err)
	}
	return conv
}

func (e *env) incident(id core.IncidentID) core.Incident {
	e.t.Helper()
	var inc core.Incident
	if err := e.store.InTx(context.Background(), func(tx core.Tx) (err error) { inc, err = tx.Incident(id); return err }); err != nil {
		e.t.Fatalf("incident %d: %v", id, err)
	}
	return inc
}

// count returns how many posts at place have exactly text.
func count(ps []string, text string) int {
	n := 0
	for _, p := range ps {
		if p == text {
			n++
		}
	}
	return n
}

func anyContains(ps []string, sub string) bool {
	return slices.ContainsFunc(ps, func(p string) bool { return strings.Contains(p, sub) })
}

// TestIncidentLifecycle: an incident opened from one conversation gets
// its own thread and card; others link by command; a note stays internal;
// an update reaches each linked customer once, in the writer's voice,
// after the undo window, with one line in each desk thread; undo takes
// one back; a late link gets the latest update at once; resolve sends the
// final message, closes those without a personal reply and keeps the rest
// open.
func TestIncidentLifecycle(t *testing.T) {
	e := newEnv(t, func(c *relay.Config) { c.UndoWindow = 30 * time.Second })
	for n := 1; n <= 3; n++ {
		e.crowdWrites(n, "payment failed again")
	}
	e.drain()
	convs := map[int]core.Conversation{}
	for n := 1; n <= 3; n++ {
		convs[n] = e.crowdConv(n)
	}

	e.staff(convs[1].Desk, "U-ALICE", "!incident new Payments down")
	e.staff(convs[2].Desk, "U-ALICE", "!incident 1")
	e.drain()
	inc := e.incident(1)
	if inc.Desk.Thread == "" || inc.State != core.IncidentInvestigating || inc.Title != "Payments down" {
		t.Fatalf("incident = %+v, want an open thread, investigating", inc)
	}
	thread := e.desk.Posts(inc.Desk)
	if len(thread) == 0 || thread[0].Incident == nil || !anyContains(texts(thread[:1]), "Linked: 2 customer(s): 2 on telegram") {
		t.Fatalf("incident thread = %q, want the card with two links first", texts(thread))
	}
	if p := e.desk.Posts(convs[2].Desk); p[0].Card == nil || len(p[0].Card.Profile) == 0 || p[0].Card.Profile[0].Value != "#1 Payments down (investigating)" {
		t.Errorf("conversation card = %+v, want the incident on it", p[0].Card)
	}
	if !anyContains(texts(e.desk.Posts(convs[2].Desk)), "Linked to incident #1") {
		t.Errorf("conversation thread = %q, want the link said", texts(e.desk.Posts(convs[2].Desk)))
	}

	// A note stays internal; an update is held by the undo window, then
	// reaches each linked customer once, even when the platform repeats
	// the event.
	e.clock.Add(2 * time.Minute)
	e.staff(inc.Desk, "U-ALICE", "// checking with the bank")
	update := core.MessageEvent{Place: inc.Desk, ID: "upd-1", Sender: core.Sender{UserID: "U-ALICE"}, Text: "We are on it: card payments fail, fix soon."}
	e.handle(update)
	e.handle(update)
	e.drain()
	for n := 1; n <= 2; n++ {
		if got := texts(e.cust.Posts(crowdDM(n))); anyContains(got, "We are on it") {
			t.Fatalf("customer %d saw the update inside the undo window: %q", n, got)
		}
	}
	e.clock.Add(31 * time.Second)
	e.drain()
	for n := 1; n <= 3; n++ {
		ps := e.cust.Posts(crowdDM(n))
		got := texts(ps)
		want := 1
		if n == 3 {
			want = 0 // not linked
		}
		if c := count(got, "We are on it: card payments fail, fix soon."); c != want {
			t.Errorf("customer %d got the update %d times, want %d: %q", n, c, want, got)
		}
		if anyContains(got, "checking with the bank") {
			t.Errorf("customer %d saw a note: %q", n, got)
		}
		for _, p := range ps {
			if p.Text == update.Text && (p.Voice.Name != "Alice Martin" || p.Kind != core.KindReply) {
				t.Errorf("customer %d's copy speaks as %+v (%s), want Alice's voice as a reply", n, p.Voice, p.Kind)
			}
		}
	}
	for n := 1; n <= 2; n++ {
		if got := texts(e.desk.Posts(convs[n].Desk)); count(got, "📣 Update from Alice Martin sent (incident #1)") != 1 {
			t.Errorf("conversation %d's thread = %q, want one update line", n, got)
		}
	}
	// The card follows the delivery while copies are on their way (a
	// render every few seconds).
	e.clock.Add(6 * time.Second)
	e.drain()
	if card := e.desk.Posts(inc.Desk)[0]; !strings.Contains(card.Text, "Delivery: 2 / 2 delivered") {
		t.Errorf("incident card = %q, want the delivery progress", card.Text)
	}

	// Undo takes a queued update back from everyone.
	e.staff(inc.Desk, "U-ALICE", "Oops, wrong incident")
	e.staff(inc.Desk, "U-ALICE", "!undo")
	e.clock.Add(31 * time.Second)
	e.drain()
	for n := 1; n <= 2; n++ {
		if got := texts(e.cust.Posts(crowdDM(n))); anyContains(got, "Oops") {
			t.Errorf("customer %d got an update taken back: %q", n, got)
		}
	}
	if !anyContains(texts(e.desk.Posts(inc.Desk)), "Update taken back") {
		t.Errorf("incident thread = %q, want the undo said", texts(e.desk.Posts(inc.Desk)))
	}

	// A late link gets the latest update (not the one taken back) at once.
	e.staff(convs[3].Desk, "U-ALICE", "!incident 1")
	e.drain()
	if got := texts(e.cust.Posts(crowdDM(3))); count(got, update.Text) != 1 || anyContains(got, "Oops") {
		t.Errorf("late-linked customer got %q, want the latest update once", got)
	}

	// A personal reply keeps conversation 2 open at resolve.
	e.staff(convs[2].Desk, "U-BOB", "I refunded you personally.")
	e.clock.Add(31 * time.Second)
	e.drain()
	e.staff(inc.Desk, "U-ALICE", "!resolve All fixed, thanks for your patience.")
	e.clock.Add(31 * time.Second)
	e.drain()
	for n := 1; n <= 3; n++ {
		if got := texts(e.cust.Posts(crowdDM(n))); count(got, "All fixed, thanks for your patience.") != 1 {
			t.Errorf("customer %d got %q, want the final message once", n, got)
		}
	}
	for n, want := range map[int]core.Status{1: core.StatusClosed, 2: core.StatusWaiting, 3: core.StatusClosed} {
		if got := e.crowdConv(n).Status; got != want {
			t.Errorf("conversation %d is %s after resolve, want %s", n, got, want)
		}
	}
	inc = e.incident(1)
	if inc.State != core.IncidentResolved || inc.ResolvedAt.IsZero() {
		t.Errorf("incident after resolve = %+v", inc)
	}
	if got := texts(e.desk.Posts(inc.Desk)); !anyContains(got, "2 conversation(s) closed") || !anyContains(got, fmt.Sprintf("Kept open (personal replies since their link): #%d", convs[2].ID)) {
		t.Errorf("incident thread = %q, want the outcome with the kept conversation", got)
	}
	var audit []core.AuditEntry
	_ = e.store.InTx(context.Background(), func(tx core.Tx) (err error) { audit, err = tx.AuditEntries("incident#1", 50); return err })
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{"incident.open", "incident.link", "incident.update", "incident.undo", "incident.resolve"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit of incident#1 = %v, want %s", actions, want)
		}
	}
	// !stats tells the incident figures.
	e.staff(convs[3].Desk, "U-ALICE", "!stats")
	e.drain()
	if got := texts(e.desk.Posts(convs[3].Desk)); !anyContains(got, "🚨 Incidents: 1 opened, 3 customers affected, first update a median 2m0s after the first linked message.") {
		t.Errorf("!stats = %q, want the incident line", got[len(got)-1])
	}
	// A customer who writes afterwards reopens as usual.
	e.crowdWrites(1, "still broken?")
	e.drain()
	if got := e.crowdConv(1).Status; got != core.StatusOpen {
		t.Errorf("conversation 1 after the customer wrote = %s, want open", got)
	}
}

// TestIncidentCommandErrors: bad input gets a clear answer and changes
// nothing.
func TestIncidentCommandErrors(t *testing.T) {
	e := newEnv(t)
	e.crowdWrites(1, "hello")
	e.drain()
	conv := e.crowdConv(1)
	for _, tc := range []struct{ cmd, want string }{
		{"!incident", "Usage: !incident"},
		{"!incident 99", "No incident #99"},
		{"!incident banana", "Usage: !incident"},
		{"!incident unlink", "linked to no incident"},
		{"!incident resolve", "linked to no incident"},
		{"!incidents", "No open incidents."},
		{"!incident new Outage", "Incident #1 opened"},
		{"!incident new Another", "linked to an incident already"},
		{"!incident 1", "Already linked to incident #1"},
		{"!incident 1 state sideways", "Usage: !incident 1 state"},
		{"!incident 1 state identified", "Incident #1 is now identified"},
		{"!incident 1 keywords refund, payment failed", "keywords: refund, payment failed"},
		{"!incident 1 failures", "has no update yet"},
		{"!incidents", "#1 Outage — identified, 1 linked"},
		{"!incident unlink", "Unlinked from incident #1"},
	} {
		e.staff(conv.Desk, "U-ALICE", tc.cmd)
		e.drain()
		if got := texts(e.desk.Posts(conv.Desk)); !anyContains(got[len(got)-1:], tc.want) {
			t.Errorf("%s: thread ends %q, want %q", tc.cmd, got[len(got)-1], tc.want)
		}
	}
}

// TestIncidentFanOutBelowReplies: while a fan-out is queued, a reply to
// another customer is claimed before any of it.
func TestIncidentFanOutBelowReplies(t *testing.T) {
	e := newEnv(t)
	const linked = 40
	for n := 1; n <= linked+1; n++ {
		e.crowdWrites(n, "down?")
	}
	e.drain()
	first := e.crowdConv(1)
	e.staff(first.Desk, "U-ALICE", "!incident new Outage")
	for n := 2; n <= linked; n++ {
		e.staff(e.crowdConv(n).Desk, "U-ALICE", "!incident 1")
	}
	e.drain()
	inc := e.incident(1)
	e.staff(inc.Desk, "U-ALICE", "Investigating.")
	other := e.crowdConv(linked + 1)
	e.staff(other.Desk, "U-ALICE", "A reply for you")
	// One claim of a few: the reply comes first, whatever was queued
	// before it.
	ds, err := e.store.Claim(context.Background(), "t", e.clock.Now(), 3, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var sawReply bool
	for i, d := range ds {
		if d.ConversationID == other.ID && d.Side == core.CustomerSide {
			sawReply = true
			for _, before := range ds[:i] {
				if before.Priority < d.Priority {
					t.Errorf("claimed bulk delivery %d before the reply", before.ID)
				}
			}
		}
	}
	if !sawReply {
		t.Fatalf("claim of 3 = %+v, want the reply among them", ds)
	}
}

// TestIncidentSuggestion: a new conversation whose first message matches
// an open incident's keywords gets a "link?" note with a button in its
// thread, and the press links it (catch-up included); with auto_link it
// is linked at once. A message that matches nothing gets no note.
func TestIncidentSuggestion(t *testing.T) {
	for _, auto := range []bool{false, true} {
		t.Run(fmt.Sprintf("auto_link=%v", auto), func(t *testing.T) {
			e := newEnv(t, func(c *relay.Config) { c.Incidents.AutoLink = auto })
			e.crowdWrites(1, "hello")
			e.drain()
			e.staff(e.crowdConv(1).Desk, "U-ALICE", "!incident new Checkout broken")
			e.drain()
			inc := e.incident(1)
			e.staff(inc.Desk, "U-ALICE", "!incident 1 keywords refund, charged twice")
			e.staff(inc.Desk, "U-ALICE", "We are looking into double charges.")
			e.drain()

			e.crowdWrites(2, "I was charged twice for one order!")
			e.crowdWrites(3, "Where is my parcel?")
			e.drain()
			c2, c3 := e.crowdConv(2), e.crowdConv(3)
			if got := texts(e.desk.Posts(c3.Desk)); anyContains(got, "incident #1") {
				t.Errorf("an unrelated conversation was offered the incident: %q", got)
			}
			posts := e.desk.Posts(c2.Desk)
			if auto {
				if !anyContains(texts(posts), "Linked to incident #1") {
					t.Fatalf("thread = %q, want linked at once", texts(posts))
				}
			} else {
				var offer *bottest.Post
				for i := range posts {
					if strings.Contains(posts[i].Text, "Looks like incident #1") {
						offer = &posts[i]
					}
				}
				if offer == nil || len(offer.Buttons) != 1 || offer.Buttons[0].Action != "incident" || !slices.Equal(offer.Buttons[0].Args, []string{"1"}) {
					t.Fatalf("thread = %+v, want the suggestion with a link button", posts)
				}
				res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: c2.Desk, ID: "press-1", Sender: core.Sender{UserID: "U-ALICE"},
					Name: offer.Buttons[0].Action, Args: offer.Buttons[0].Args})
				if err != nil || !strings.Contains(res.Text, "Linked to incident #1") {
					t.Fatalf("press = %+v, %v", res, err)
				}
				e.drain()
			}
			if got := texts(e.cust.Posts(crowdDM(2))); count(got, "We are looking into double charges.") != 1 {
				t.Errorf("customer 2 got %q, want the latest update once (catch-up)", got)
			}
		})
	}
}

// TestIncidentThreadAction: a native command in the incident's thread
// acts on the incident.
func TestIncidentThreadAction(t *testing.T) {
	e := newEnv(t)
	e.crowdWrites(1, "hello")
	e.drain()
	e.staff(e.crowdConv(1).Desk, "U-ALICE", "!incident new Outage")
	e.drain()
	inc := e.incident(1)
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: inc.Desk, ID: "slash-1", Sender: core.Sender{UserID: "U-ALICE"},
		Name: "incident", Args: []string{"state", "monitoring"}})
	if err != nil || !strings.Contains(res.Text, "Incident #1 is now monitoring") {
		t.Fatalf("slash command = %+v, %v", res, err)
	}
	if got := e.incident(1).State; got != core.IncidentMonitoring {
		t.Errorf("state = %s, want monitoring", got)
	}
	res, err = e.svc.Act(context.Background(), core.ActionEvent{Place: core.Place{Platform: core.Slack, Chat: deskChannel.Chat, Thread: "nowhere"},
		ID: "slash-2", Sender: core.Sender{UserID: "U-ALICE"}, Name: "close"})
	if err != nil || res.Text != "This thread is not a cornershop conversation." {
		t.Errorf("command in a foreign thread = %+v, %v", res, err)
	}
}

// TestIncidentBroadcast: a broadcast place gets one status post, edited in
// place with each update (newest first) and the resolution; an update
// taken back leaves it.
func TestIncidentBroadcast(t *testing.T) {
	status := core.Place{Platform: core.Slack, Chat: "C-STATUS"}
	e := newEnv(t, func(c *relay.Config) { c.Incidents.Broadcast = []core.Place{status}; c.UndoWindow = 10 * time.Second })
	e.crowdWrites(1, "down?")
	e.drain()
	e.staff(e.crowdConv(1).Desk, "U-ALICE", "!incident new Checkout down")
	e.drain()
	inc := e.incident(1)
	e.staff(inc.Desk, "U-ALICE", "Looking into it.")
	e.drain()
	e.clock.Add(time.Minute)
	e.staff(inc.Desk, "U-ALICE", "Wrong text")
	e.staff(inc.Desk, "U-ALICE", "!undo")
	e.staff(inc.Desk, "U-BOB", "Fix deployed, watching.")
	e.drain()
	e.staff(inc.Desk, "U-ALICE", "!resolve Back to normal.")
	e.drain()
	posts := e.desk.Posts(status)
	if len(posts) != 1 {
		t.Fatalf("status place has %d posts, want one edited in place: %q", len(posts), texts(posts))
	}
	want := "✅ Checkout down — resolved\n" +
		"24 Nov 09:01 UTC · Alice Martin: Back to normal.\n" +
		"24 Nov 09:01 UTC · Bob Stone: Fix deployed, watching.\n" +
		"24 Nov 09:00 UTC · Alice Martin: Looking into it."
	if posts[0].Text != want {
		t.Errorf("status post = %q, want %q", posts[0].Text, want)
	}
}

// TestIncidentResolveCountsAReplyInTheLinksSecond: Telegram stamps
// messages in whole seconds, so a personal reply written just after the
// link, in the same second, carries a time before the link's. It still
// keeps the conversation open at resolve.
func TestIncidentResolveCountsAReplyInTheLinksSecond(t *testing.T) {
	e := newEnv(t, func(*relay.Config) {})
	e.crowdWrites(1, "payment failed again")
	e.drain()
	e.clock.Add(700 * time.Millisecond)
	conv := e.crowdConv(1)
	e.staff(conv.Desk, "U-ALICE", "!incident new Payments down")
	e.drain()
	e.handle(core.MessageEvent{Place: conv.Desk, ID: e.id(), Sender: core.Sender{UserID: "U-BOB", Name: "U-BOB"},
		Text: "I refunded you personally.", At: e.clock.Now().Truncate(time.Second)})
	e.drain()
	e.staff(e.incident(1).Desk, "U-ALICE", "!resolve All fixed.")
	e.drain()
	if got := e.crowdConv(1).Status; got == core.StatusClosed {
		t.Errorf("conversation with a personal reply in the link's second is %s after resolve, want open", got)
	}
}
