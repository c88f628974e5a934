package relay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

var ideasBoard = core.Place{Platform: core.Slack, Chat: "C-IDEAS"}

func withIdeas(c *relay.Config) {
	c.Ideas = relay.Ideas{Boards: []core.Place{ideasBoard}, DailyNotices: 2, DigestDelay: time.Hour}
}

// act runs a customer action and returns its answer.
func (e *env) act(place core.Place, user, name string, args ...string) string {
	e.t.Helper()
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: place, Sender: core.Sender{UserID: user, Name: user}, Name: name, Args: args, ID: e.id()})
	if err != nil {
		e.t.Fatalf("act %s: %v", name, err)
	}
	return res.Text
}

func (e *env) idea(id core.IdeaID) core.Idea {
	e.t.Helper()
	var i core.Idea
	e.inTx(func(tx core.Tx) error {
		var err error
		i, err = tx.Idea(id)
		return err
	})
	return i
}

func TestSplitIdea(t *testing.T) {
	for _, c := range []struct{ in, title, body string }{
		{"Dark mode — easier at night", "Dark mode", "easier at night"},
		{"Dark mode - easier at night", "Dark mode", "easier at night"},
		{"Dark mode\nmuch easier", "Dark mode", "much easier"},
		{"Just a title", "Just a title", ""},
		{"  ", "", ""},
		{"Export — to CSV — and JSON", "Export", "to CSV — and JSON"},
		{strings.Repeat("x", 300), strings.Repeat("x", 120) + "…", ""},
	} {
		title, body := relay.SplitIdea(c.in)
		if title != c.title || body != c.body {
			t.Errorf("SplitIdea(%q) = %q, %q; want %q, %q", c.in, title, body, c.title, c.body)
		}
	}
}

func TestIdeaVotesStatusAndNotices(t *testing.T) {
	e := newEnv(t, withIdeas)
	got := e.act(customerDM, "u1", "idea", "Dark", "mode", "—", "easier", "at", "night")
	if !strings.Contains(got, "#1") {
		t.Fatalf("proposal answer = %q", got)
	}
	e.drain()
	posts := e.cust.Posts(customerDM)
	if len(posts) != 1 || posts[0].Idea == nil || posts[0].Idea.Votes != 1 {
		t.Fatalf("card after proposal = %+v", posts)
	}

	// A second person votes from Slack, then a linked account of the same
	// person votes from Telegram: one vote per person.
	if got := e.act(ideasBoard, "U-DAN", "vote", "1"); !strings.Contains(got, "2 votes") {
		t.Fatalf("vote answer = %q", got)
	}
	e.act(customerDM, "u2", "start") // u2 becomes a contact
	e.inTx(func(tx core.Tx) error {
		dan, err := tx.ContactByIdentity(core.Slack, "U-DAN")
		if err != nil {
			return err
		}
		tg, err := tx.ContactByIdentity(core.Telegram, "u2")
		if err != nil {
			tg = core.Contact{Name: "u2", Identities: []core.Identity{{Platform: core.Telegram, UserID: "u2"}}}
			if err := tx.CreateContact(&tg); err != nil {
				return err
			}
		}
		return tx.MergeContacts(tg.ID, dan.ID, "test", e.clock.Now())
	})
	if got := e.act(customerDM, "u2", "vote", "1"); !strings.Contains(got, "already counted") {
		t.Fatalf("linked vote answer = %q", got)
	}
	if v := e.idea(1).Votes; v != 2 {
		t.Fatalf("votes after linked vote = %d, want 2", v)
	}
	e.drain()
	if c := e.cust.Posts(customerDM)[0].Idea; c.Votes != 2 {
		t.Fatalf("card shows %d votes, want 2", c.Votes)
	}

	// A non-moderator cannot move it; a moderator can, and both followers
	// hear it once, in the moderator's voice, in their direct chat.
	e.customer("hello")
	e.drain()
	thread := e.conversation().Desk
	e.staff(thread, "U-ALICE", "!idea 1 planned")
	if st := e.idea(1).Status; st != core.IdeaNew {
		t.Fatalf("agent changed the status to %s", st)
	}
	e.staff(thread, "U-BOB", "!idea 1 planned We start in May")
	if i := e.idea(1); i.Status != core.IdeaPlanned || i.Message != "We start in May" {
		t.Fatalf("after moderation: %+v", i)
	}
	e.drain()
	for _, dm := range []core.Place{{Platform: core.Telegram, Chat: "dm-u1"}, {Platform: core.Slack, Chat: "dm-U-DAN"}} {
		mem := e.cust
		if dm.Platform == core.Slack {
			mem = e.desk
		}
		ps := mem.Posts(dm)
		if len(ps) != 1 || !strings.Contains(ps[0].Text, "Planned") || ps[0].Voice.Name != "Bob Stone" {
			t.Fatalf("notices at %s = %+v", dm, ps)
		}
	}

	// Muted people hear nothing more.
	e.act(customerDM, "u1", "ideas", "mute")
	e.staff(thread, "U-BOB", "!idea 1 in progress")
	e.drain()
	if n := len(e.cust.Posts(core.Place{Platform: core.Telegram, Chat: "dm-u1"})); n != 1 {
		t.Fatalf("muted follower got %d notices, want 1", n)
	}
	// Dan has had two notices today (the limit): the next ones wait in one
	// digest that leaves after the digest delay.
	e.staff(thread, "U-BOB", "!idea 1 done Shipped!")
	e.staff(thread, "U-BOB", "!idea 1 title Dark theme")
	e.staff(thread, "U-BOB", "!idea 1 declined Sorry")
	e.drain()
	danDM := core.Place{Platform: core.Slack, Chat: "dm-U-DAN"}
	if n := len(e.desk.Posts(danDM)); n != 2 {
		t.Fatalf("before the digest Dan has %d notices, want 2", n)
	}
	e.clock.Add(2 * time.Hour)
	e.drain()
	ps := e.desk.Posts(danDM)
	if len(ps) != 3 || !strings.Contains(ps[2].Text, "Done") || !strings.Contains(ps[2].Text, "Declined") {
		t.Fatalf("digest = %+v", ps)
	}
}

func TestIdeaMergeHideAndBoard(t *testing.T) {
	e := newEnv(t, withIdeas)
	// Posts on the board are ideas; thread replies are comments.
	e.handle(core.MessageEvent{Place: ideasBoard, ID: "100.1", Sender: core.Sender{UserID: "U-A", Name: "Ann"}, Text: "Dark mode\nPlease!"})
	e.handle(core.MessageEvent{Place: ideasBoard, ID: "100.1", Sender: core.Sender{UserID: "U-A", Name: "Ann"}, Text: "Dark mode\nPlease!"})
	e.handle(core.MessageEvent{Place: ideasBoard, ID: "100.2", Sender: core.Sender{UserID: "U-B", Name: "Ben"}, Text: "A dark mode for the app"})
	e.handle(core.MessageEvent{Place: core.Place{Platform: core.Slack, Chat: ideasBoard.Chat, Thread: "100.2"}, ID: "100.3",
		Sender: core.Sender{UserID: "U-C", Name: "Cy"}, Text: "yes please"})
	e.act(ideasBoard, "U-A", "vote", "2") // Ann backs both
	if got := e.act(ideasBoard, "U-D", "idea", "Dark", "mode", "support"); !strings.Contains(got, "Similar ideas") || !strings.Contains(got, "#1") {
		t.Fatalf("no similar ideas suggested: %q", got)
	}
	e.drain()
	var all []core.Idea
	e.inTx(func(tx core.Tx) (err error) { all, err = tx.Ideas(core.IdeaFilter{}); return })
	if len(all) != 3 {
		t.Fatalf("ideas = %d, want 3 (a repeated post is recorded once)", len(all))
	}
	two := e.idea(2)
	if two.Votes != 2 || two.Comments != 1 || two.Card.Thread != "100.2" {
		t.Fatalf("idea 2 = %+v", two)
	}

	e.customer("hi")
	e.drain()
	thread := e.conversation().Desk
	e.staff(thread, "U-BOB", "!idea 2 merge 1")
	one, merged := e.idea(1), e.idea(2)
	if one.Votes != 2 || one.Comments != 1 || merged.Status != core.IdeaDuplicate || merged.MergedInto != 1 {
		t.Fatalf("after merge: survivor %+v, merged %+v", one, merged)
	}
	e.drain()
	// Ben (author of 2) and Cy (commenter) hear of the merge; Ann too.
	for _, u := range []string{"U-A", "U-B", "U-C"} {
		if n := len(e.desk.Posts(core.Place{Platform: core.Slack, Chat: "dm-" + u})); n != 1 {
			t.Errorf("%s got %d merge notices, want 1", u, n)
		}
	}
	// A vote on the merged card counts for the survivor.
	if got := e.act(ideasBoard, "U-E", "vote", "2"); !strings.Contains(got, "#1") {
		t.Fatalf("vote on merged idea = %q", got)
	}

	e.staff(thread, "U-BOB", "!idea 3 hide spam")
	e.inTx(func(tx core.Tx) (err error) { all, err = tx.Ideas(core.IdeaFilter{}); return })
	if len(all) != 1 || all[0].ID != 1 {
		t.Fatalf("visible ideas after hide and merge = %+v", all)
	}
	if got := e.act(ideasBoard, "U-F", "vote", "3"); !strings.Contains(got, "not open") {
		t.Fatalf("vote on hidden idea = %q", got)
	}
	if got := e.act(ideasBoard, "U-F", "ideas"); strings.Contains(got, "#3") || !strings.Contains(got, "#1") {
		t.Fatalf("/ideas = %q", got)
	}
	var audit []core.AuditEntry
	e.inTx(func(tx core.Tx) (err error) { audit, err = tx.AuditEntries("idea#3", 10); return })
	if len(audit) != 2 || audit[1].Action != "idea.hide" || audit[1].Actor != "staff:bob" {
		t.Fatalf("audit of idea 3 = %+v", audit)
	}
}

func TestIdeaModerationQueue(t *testing.T) {
	e := newEnv(t, func(c *relay.Config) { withIdeas(c); c.Ideas.Moderation = "new" })
	if got := e.act(ideasBoard, "U-NEW", "idea", "Free", "stuff"); !strings.Contains(got, "once a moderator") {
		t.Fatalf("queued answer = %q", got)
	}
	e.drain()
	if n := len(e.desk.Posts(ideasBoard)); n != 0 {
		t.Fatalf("a queued idea got a card: %d posts", n)
	}
	e.customer("hi")
	e.drain()
	thread := e.conversation().Desk
	e.staff(thread, "U-BOB", "!ideas queue")
	e.staff(thread, "U-BOB", "!idea 1 approve")
	e.drain()
	if ps := e.desk.Posts(ideasBoard); len(ps) != 1 || ps[0].Idea == nil || ps[0].Idea.ID != 1 {
		t.Fatalf("approved idea's card = %+v", ps)
	}
}

func TestIdeaFromConversation(t *testing.T) {
	e := newEnv(t, withIdeas)
	e.customer("It would be great to export invoices as CSV")
	e.drain()
	thread := e.conversation().Desk
	e.staff(thread, "U-ALICE", "!idea CSV export")
	i := e.idea(1)
	if i.Title != "CSV export" || i.Body != "It would be great to export invoices as CSV" || i.Votes != 1 || i.Origin != ideasBoard {
		t.Fatalf("idea from conversation = %+v", i)
	}
	e.staff(thread, "U-ALICE", "!card")
	e.drain()
	if got := e.desk.Posts(thread); !strings.Contains(got[len(got)-1].Text, "Ideas: #1 CSV export (New)") {
		t.Fatalf("the card lacks the contact's ideas: %q", got[len(got)-1].Text)
	}
}

// TestIdeaVoteStormOneEdit: votes that queue up while the card waits to be
// edited cost one edit, which shows them all.
func TestIdeaVoteStormOneEdit(t *testing.T) {
	e := newEnv(t, withIdeas)
	e.act(ideasBoard, "U-A", "idea", "Dark", "mode")
	e.drain()
	for _, u := range []string{"U-B", "U-C", "U-D", "U-E", "U-F"} {
		e.act(ideasBoard, u, "vote", "1")
	}
	e.drain()
	ps := e.desk.Posts(ideasBoard)
	if n := e.desk.IdeaEdits(); n != 1 || len(ps) != 1 || ps[0].Idea.Votes != 6 {
		t.Fatalf("%d edits, card %+v; want one edit showing 6 votes", n, ps)
	}
}
